"""Insights switched on make auth ask TikTok for the scopes they read with: video.list for posts'
numbers, user.info.stats too when account totals are wanted; off, nothing more is asked."""

from __future__ import annotations

from typing import Any

from gatepost_auth.settings import Settings


def settings(**changes: Any) -> Settings:
    return Settings(
        session_private_key="unused",
        session_public_key="unused",
        token_keys={"k1": "a" * 44},
        active_token_key="k1",
        state_secret="s" * 32,
        tiktok_client_key="client",
        tiktok_client_secret="secret",
        tiktok_redirect_uri="https://gatepost.example/callback",
        smtp_url="smtp://mail.example:587",
        **changes,
    )


def test_insights_add_video_list_and_optionally_user_stats_to_the_scopes() -> None:
    assert settings().tiktok_scopes == ["user.info.basic", "video.publish", "video.upload"]
    assert settings(insights_enabled=True).tiktok_scopes[-1] == "video.list"
    both = settings(insights_enabled=True, insights_user_stats=True).tiktok_scopes
    assert both[-2:] == ["video.list", "user.info.stats"]
    again = settings(insights_enabled=True, tiktok_scopes=["user.info.basic", "video.list"])
    assert again.tiktok_scopes == ["user.info.basic", "video.list"]

"""Third-party TikTok clients' exact content/init requests that the stand-in of round two refused
and TikTok accepts (issue 35; docs/tiktok-standin.md, round three). Each is kept as the JSON the
client sent, with `{PHOTO}` where it put its photo's URL and the photo's size beside it, and its
source named: tests/standins/test_client_requests.py posts each under the default readings
(accepted) and under the other reading (refused, as round two did)."""

from __future__ import annotations

# postiz-app's tiktok.provider.ts before PR #1728 (gitroomhq/postiz-app, the post() body built
# inline): its Direct Post body put
# the video-only `disable_duet`, `disable_stitch` and `is_aigc` into a photo post's post_info;
# field reports say TikTok ignores them (postiz-app #1220). Refused by round two with
# `invalid_params`.
POSTIZ_PHOTO_WITH_VIDEO_FIELDS = """{
  "post_info": {
    "title": "Balcony herbs",
    "description": "Five herbs that grow on any balcony #garden",
    "privacy_level": "PUBLIC_TO_EVERYONE",
    "disable_duet": false,
    "disable_comment": false,
    "disable_stitch": false,
    "is_aigc": false,
    "brand_content_toggle": false,
    "brand_organic_toggle": false,
    "auto_add_music": true
  },
  "source_info": {
    "source": "PULL_FROM_URL",
    "photo_cover_index": 0,
    "photo_images": ["{PHOTO}"]
  },
  "post_mode": "DIRECT_POST",
  "media_type": "PHOTO"
}"""
POSTIZ_PHOTO_WITH_VIDEO_FIELDS_SIZE = (1080, 1080)

# postiz-app's tiktok.provider.ts (gitroomhq/postiz-app, buildTikokPostInfoBody and
# buildTikokSourceInfoBody at 009bd365) for a Direct Post photo, with the 941x1672 portrait its
# PR #1875 (2026-08-11) reports TikTok posting: round two read "Maximum 1080p" on the long side
# and failed it `picture_size_check_failed`. (The code builds the title from the post's title and
# the description from its message; both are filled here.)
POSTIZ_PORTRAIT_PHOTO = """{
  "post_info": {
    "title": "Balcony herbs",
    "description": "Five herbs that grow on any balcony #garden",
    "privacy_level": "PUBLIC_TO_EVERYONE",
    "disable_comment": false,
    "brand_content_toggle": false,
    "brand_organic_toggle": false,
    "auto_add_music": false
  },
  "post_mode": "DIRECT_POST",
  "media_type": "PHOTO",
  "source_info": {
    "source": "PULL_FROM_URL",
    "photo_cover_index": 0,
    "photo_images": ["{PHOTO}"]
  }
}"""
POSTIZ_PORTRAIT_PHOTO_SIZE = (941, 1672)

# trypost's TikTokPublisher::publishPhotos (trypostit/trypost,
# app/Services/Social/TikTokPublisher.php at 093be50a; the short-side reading of its PR #120):
# post_info with the caption as `description`, the person's privacy and comment choice and
# auto_add_music; a photo no wider than 1080 px is passed through untouched, so a 1080x1920
# full-screen slide goes as it is. Round two failed it `picture_size_check_failed`.
TRYPOST_FULL_SCREEN_PHOTO = """{
  "post_info": {
    "description": "Five herbs that grow on any balcony #garden",
    "privacy_level": "PUBLIC_TO_EVERYONE",
    "disable_comment": false,
    "auto_add_music": true
  },
  "source_info": {
    "source": "PULL_FROM_URL",
    "photo_cover_index": 0,
    "photo_images": ["{PHOTO}"]
  },
  "post_mode": "DIRECT_POST",
  "media_type": "PHOTO"
}"""
TRYPOST_FULL_SCREEN_PHOTO_SIZE = (1080, 1920)

"""A local stand-in for TikTok's OAuth v2, Display and Content Posting APIs."""

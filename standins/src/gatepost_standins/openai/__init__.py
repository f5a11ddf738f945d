"""A local stand-in for an OpenAI-compatible endpoint (chat completions, image generation)."""

"""Data and compute at scale (chapter 5.1). Placeholder; filled below."""

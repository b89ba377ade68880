"""Reading users' spreadsheets into the canonical frames (see creditdash.frames)."""

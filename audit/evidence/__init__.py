"""Evidence packs: what a platform submits, loaded, validated and hashed."""

"""Industrial parks: organisations of kind 'park' and their tenant companies."""

"""Avatars on the ICT head: identities, colours, brows and hair, posing and rendering (`fxe gen-avatar`)."""

"""Label Studio: the only code that imports ``label_studio_sdk`` (client, server, push/pull)."""

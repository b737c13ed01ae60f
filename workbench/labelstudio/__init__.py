"""Label Studio: the only code that imports ``label_studio_sdk`` (`calls`, `client`) and runs
Label Studio (`install`, `server`, `provision`, `database`, `local`)."""

"""Components of the access pages: user dialogs and the whitelist panel."""

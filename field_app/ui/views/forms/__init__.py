"""Forms of the client file: one small generic form (``base.FormView``) and one spec per record type."""

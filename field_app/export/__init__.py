"""Documents made on the device from decrypted data (never on the server). Pure renderers: plain data in,
bytes out; they may import ``field_app.domain`` only."""

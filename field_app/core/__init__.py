"""The device core: the one object that holds an unlocked device's state (:class:`~.device.Device`), the
operational states (:mod:`.states`), the team's write policy (:mod:`.policy`) and the security stops
(:mod:`.alerts`). Nothing here talks to the server; :mod:`field_app.sync` does, through the core's API."""

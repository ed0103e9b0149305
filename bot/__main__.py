"""`python -m bot` is the same as `ktbot`."""

from bot.cli import main

raise SystemExit(main())

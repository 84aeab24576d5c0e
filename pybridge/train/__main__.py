"""`python -m pybridge.train --out FILE [--seed S ...]`: train one Max-of-k model."""

from .maxofk import main

raise SystemExit(main())

from stori.cli import main

raise SystemExit(main())

from audit import main

raise SystemExit(main())

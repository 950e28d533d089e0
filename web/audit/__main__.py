from web.audit import main

raise SystemExit(main())

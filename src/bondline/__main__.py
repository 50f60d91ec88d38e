from bondline.cli import main

main()

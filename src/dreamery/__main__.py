from dreamery.cli import main

main()

from article6.cli import main

main()

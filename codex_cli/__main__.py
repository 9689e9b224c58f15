from codex_cli.cli.start import run

if __name__ == "__main__":
    run()

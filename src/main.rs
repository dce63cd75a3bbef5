//! Thin: parse, run, print one error line, map it to an exit code.

use clap::Parser;
use wsctl::{cli, cli::Cli, console, exit};

fn main() {
    let cli = Cli::try_parse().unwrap_or_else(|err| cli::with_habits(err).exit());
    let code = match wsctl::run(cli) {
        Ok(()) => exit::Exit::Ok,
        Err(err) => {
            if !exit::is_quiet(&err) {
                console::error(&err);
            }
            exit::code_of(&err)
        }
    };
    // Not a return from main: a stdin thread blocked in read() must not hold the exit up.
    std::process::exit(code as i32);
}

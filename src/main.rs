//! The `pinwarden` binary: parse the command line, run it, map the result to an exit code
//! (0 pass, 1 findings at or above `--fail-on`, 2 usage or I/O error). Nothing else.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use pinwarden::app::{self, Outcome, UsageError};
use pinwarden::cli::Cli;

/// mimalloc rather than the C library's allocator (Cargo.toml says why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    match app::run(cli, &mut stdout, &mut io::stderr()) {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Err(error) => {
            let mut stderr = io::stderr().lock();
            // NOTE: if stderr itself is gone there is nobody left to tell.
            let _ = writeln!(stderr, "error: {error:#}");
            if let Some(usage) = error.downcast_ref::<UsageError>() {
                let _ = writeln!(stderr, "help: {}", usage.help);
            }
            ExitCode::from(2)
        }
    }
}

//! `chorus-recon`: parse the arguments, run the library, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match chorus_recon::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's help and version are not errors.
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(chorus_recon::EXIT_CANNOT_RUN),
            };
        }
    };
    match chorus_recon::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("chorus-recon : erreur : {e}");
            ExitCode::from(chorus_recon::EXIT_CANNOT_RUN)
        }
    }
}

/// mimalloc: millions of short-lived strings per run, and the system allocator was a
/// third of the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

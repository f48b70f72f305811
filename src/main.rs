//! `chorus-recon`: parse the arguments, run the library, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    return_memory_promptly();
    let cli = match chorus_recon::cli::parse() {
        Ok(cli) => cli,
        Err((text, code)) => {
            // Help and version go to the standard output, errors to the error output.
            if code == 0 {
                print!("{text}");
            } else {
                eprint!("{text}");
            }
            return ExitCode::from(code);
        }
    };
    match chorus_recon::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("chorus-recon : erreur : {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// mimalloc: millions of short-lived strings per run, and the system allocator was a
/// third of the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option, the same in its v2 and v3 (`mimalloc.h`: the 16th
/// option); the crate names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed stays with the process for at most 50 ms (mimalloc keeps it 1 s by
/// default): a national run frees its raw rows batch after batch, and on a shared server
/// its peak stays near what it holds (1M+1M lines: 580-640 MB -> about 495 MB, for a
/// little more system time).
fn return_memory_promptly() {
    // SAFETY: called first thing in `main`, before any other thread exists
    // (`mi_option_set` is not thread safe); the option is an integer in milliseconds.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 50) };
}

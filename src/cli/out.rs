//! Standard output for the commands that print: a reader that has gone
//! (`envact completions zsh | head`, a closed pipe) ends envact quietly with
//! 141, what SIGPIPE would give, instead of a panic. envact keeps SIGPIPE
//! ignored, as Rust programs do, so that a client leaving the agent's socket
//! never kills the agent.

use std::io::Write;

/// Writes `args` to standard output and flushes it.
pub fn write(args: std::fmt::Arguments) {
    bytes(args.to_string().as_bytes());
}

/// Writes `bytes` to standard output and flushes it. Any other failure (a
/// full disk behind `>`) is an error, never silence: what was asked for is
/// not all there.
pub fn bytes(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write to standard output: {e}"
        );
        std::process::exit(1);
    }
}

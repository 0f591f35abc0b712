//! Opening the browser at an IAM Identity Center sign-in: the program in
//! `BROWSER` (its first choice, `%s` standing for the URL, else the URL
//! added), else the desktop's opener where there is a desktop (`xdg-open`,
//! `open` on macOS). The URL goes as one argument, never through a shell;
//! what the browser says goes nowhere, and envact does not wait for it.

use std::process::{Command, Stdio};

/// Opens `url`; false when there is no browser to open here (the person
/// opens the URL on another device).
pub fn open(url: &str) -> bool {
    // A URL from the service: only web addresses, never an option.
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return false;
    }
    let Some(mut cmd) = browser(url) else {
        return false;
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match cmd.spawn() {
        Ok(mut child) => {
            // Reaped in the background; the sign-in does not wait for it.
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

fn browser(url: &str) -> Option<Command> {
    let chosen = std::env::var("BROWSER").ok().and_then(|b| {
        b.split(':')
            .map(str::trim)
            .find(|c| !c.is_empty())
            .map(str::to_string)
    });
    if let Some(chosen) = chosen {
        let mut words = chosen.split_whitespace();
        let mut cmd = Command::new(words.next()?);
        let mut placed = false;
        for word in words {
            if word.contains("%s") {
                cmd.arg(word.replace("%s", url));
                placed = true;
            } else {
                cmd.arg(word);
            }
        }
        if !placed {
            cmd.arg(url);
        }
        return Some(cmd);
    }
    if cfg!(target_os = "macos") {
        let mut cmd = Command::new("open");
        cmd.arg(url);
        return Some(cmd);
    }
    let desktop = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    desktop.then(|| {
        let mut cmd = Command::new("xdg-open");
        cmd.arg(url);
        cmd
    })
}

//! What a packager installs and a person meets after installing: shell
//! completions that complete in real bash, zsh and fish (TAB typed on a
//! pseudo-terminal), man pages that render without a warning, no colour
//! codes under NO_COLOR, and a flake that parses and matches Cargo.toml.

use crate::support;

use std::path::Path;
use std::process::Command;

use support::{run, spawn_pty, stderr, stdout, which, PtySession, Sandbox};

/// `shell` on a pseudo-terminal with envact's completion loaded.
fn shell_with_completions(sb: &Sandbox, shell: &str) -> PtySession {
    let script = sb.root.join(format!("envact-completion.{shell}"));
    let out = run(sb.envact(["completions", shell]));
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(&script, stdout(&out)).unwrap();
    let mut cmd = Command::new(which(shell));
    sb.apply_env(&mut cmd);
    cmd.env("TERM", "xterm");
    let load = match shell {
        "bash" => {
            cmd.args(["--norc", "--noprofile", "-i"])
                .env("PS1", "ready$ ");
            format!("source {}", script.display())
        }
        "zsh" => {
            cmd.args(["-f", "-i"]).env("PS1", "ready$ ");
            format!(
                "autoload -U compinit && compinit -u && source {}",
                script.display()
            )
        }
        _ => {
            cmd.args([
                "--no-config",
                "--init-command",
                "function fish_prompt; printf 'ready$ '; end",
                "-i",
            ]);
            format!("source {}", script.display())
        }
    };
    let mut p = spawn_pty(cmd);
    p.exp_string("ready$ ").unwrap();
    p.send_line(&load).unwrap();
    p.exp_string("ready$ ").unwrap();
    p
}

/// Types `partial`, presses TAB, then goes back to the start of the line
/// and makes it print its words: what the shell completed.
fn completed(p: &mut PtySession, partial: &str) -> String {
    p.send(&format!("{partial}\t")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // Ctrl-A: the start of the line, Ctrl-E: its end; the words come out
    // as <word><word>.
    p.send("\x01printf '<%s>' \x05").unwrap();
    p.send_line("; echo '|end'").unwrap();
    let (_, words) = p.exp_regex(r"(<[^>\r\n]*>)+\|end").unwrap();
    words.trim_end_matches("|end").to_string()
}

#[test]
fn bash_zsh_and_fish_complete_subcommands_and_options() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let mut p = shell_with_completions(&sb, shell);
        assert_eq!(
            completed(&mut p, "envact ac"),
            "<envact><activate>",
            "{shell}: envact ac<TAB>"
        );
        assert_eq!(
            completed(&mut p, "envact activate --inj"),
            "<envact><activate><--inject>",
            "{shell}: envact activate --inj<TAB>"
        );
        p.send_line("exit").unwrap();
        p.exp_eof().unwrap();
    }
}

#[test]
fn every_man_page_renders_without_a_warning() {
    let sb = Sandbox::new();
    let dir = sb.root.join("man");
    let out = run(sb.envact(["man", "--dir", dir.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    // One page for envact and one for each command --help lists.
    let help = stdout(&run(sb.envact(["--help"])));
    for command in ["activate", "exec", "init", "trust", "completions", "stop"] {
        assert!(help.contains(command), "{help}");
        assert!(pages.contains(&format!("envact-{command}.1")), "{pages:?}");
    }
    assert!(pages.contains(&"envact.1".to_string()));
    assert!(
        !pages
            .iter()
            .any(|p| p.contains("agent") || p.contains("direnv-load") || p.contains("envact-man")),
        "a hidden command has a page: {pages:?}"
    );
    for page in &pages {
        let mut man = Command::new(which("man"));
        sb.apply_env(&mut man);
        man.env("MANWIDTH", "80")
            .args(["--warnings", "-l"])
            .arg(dir.join(page));
        let out = run(man);
        assert!(out.status.success(), "{page}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{page} renders with warnings");
        assert!(stdout(&out).contains("NAME"), "{page}: {}", stdout(&out));
    }
    let activate = std::fs::read_to_string(dir.join("envact-activate.1")).unwrap();
    assert!(activate.contains("inject"), "{activate}");
}

/// As README says: `envact man` puts the pages beside the installed envact
/// (`cargo install`'s ~/.cargo/bin: ~/.cargo/share/man/man1), where `man`
/// finds them with no MANPATH; their synopsis names each option's value.
#[test]
fn man_pages_written_beside_envact_are_found_by_man_and_name_option_values() {
    let sb = Sandbox::new();
    let bin = sb.home.join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let installed = bin.join("envact");
    std::fs::hard_link(support::envact_bin(), &installed)
        .or_else(|_| std::fs::copy(support::envact_bin(), &installed).map(drop))
        .unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let cmd = |program: &Path, args: &[&str]| {
        let mut cmd = Command::new(program);
        sb.apply_env(&mut cmd);
        cmd.env("PATH", &path).env("MANWIDTH", "100").args(args);
        cmd
    };
    let out = run(cmd(&installed, &["man"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = std::fs::read_dir(sb.home.join(".cargo/share/man/man1"))
        .unwrap()
        .count();
    assert!(pages > 20, "{pages} pages");
    assert!(
        stderr(&out).contains(&format!("wrote {pages} man pages to")),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));

    let man = which("man");
    let out = run(cmd(&man, &["-w", "envact-activate"]));
    assert_eq!(
        stdout(&out).trim(),
        sb.home
            .join(".cargo/share/man/man1/envact-activate.1")
            .display()
            .to_string(),
        "{}",
        stderr(&out)
    );
    let page = stdout(&run(cmd(&man, &["envact-activate"])));
    for option in [
        "[-d|--dir DIR]",
        "[-r|--remote TEMPLATE]",
        "[--inject MODE]",
    ] {
        assert!(page.contains(option), "{option} not in {page}");
    }

    // Elsewhere, envact says how to make man look there.
    std::fs::remove_dir_all(sb.home.join(".cargo/share")).unwrap();
    let elsewhere = sb.root.join("pages/man1");
    let out = run(cmd(
        &installed,
        &["man", "--dir", elsewhere.to_str().unwrap()],
    ));
    let root = sb.root.join("pages").canonicalize().unwrap();
    let hint = format!("export MANPATH=\"{}:\"", root.display());
    assert!(stderr(&out).contains(&hint), "{}", stderr(&out));
    let mut whereis = cmd(&man, &["-w", "envact-init"]);
    whereis.env("MANPATH", format!("{}:", root.display()));
    let out = run(whereis);
    assert!(
        stdout(&out).contains("pages/man1/envact-init.1"),
        "{} {}",
        stdout(&out),
        stderr(&out)
    );
}

/// Everything `args` writes on a pseudo-terminal (TERM=xterm).
fn on_a_terminal(sb: &Sandbox, args: &[&str], no_color: bool) -> String {
    let mut cmd = Command::new(support::envact_bin());
    sb.apply_env(&mut cmd);
    cmd.env("TERM", "xterm").args(args);
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let mut p = spawn_pty(cmd);
    p.exp_eof().unwrap()
}

#[test]
fn no_color_leaves_no_escape_code_on_a_terminal() {
    let sb = Sandbox::new();
    let nowhere = sb.root.join("nowhere");
    let runs: [&[&str]; 4] = [
        &["--help"],
        &["activate", "--help"],
        &["versoin"],
        &["status", "-d", nowhere.to_str().unwrap()],
    ];
    for args in runs {
        // Without NO_COLOR the same run is coloured: the check can fail.
        let coloured = on_a_terminal(&sb, args, false);
        assert!(
            coloured.contains('\x1b'),
            "{args:?} is never coloured: {coloured}"
        );
        let plain = on_a_terminal(&sb, args, true);
        assert!(
            !plain.contains('\x1b'),
            "{args:?} under NO_COLOR: {plain:?}"
        );
        assert!(!plain.trim().is_empty(), "{args:?} printed nothing");
    }
}

fn nix_parse(file: &Path) -> String {
    let mut cmd = Command::new(which("nix-instantiate"));
    // The dummy store: nothing to build or write, and no root needed.
    cmd.args(["--store", "dummy://", "--parse"]).arg(file);
    let out = run(cmd);
    assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
    stdout(&out)
}

#[test]
fn the_flake_parses_and_builds_what_cargo_toml_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let flake = nix_parse(&root.join("flake.nix"));
    for output in [
        "packages",
        "apps",
        "overlays",
        "devShells",
        "checks",
        "formatter",
    ] {
        assert!(
            flake.contains(&format!("{output} = ")),
            "no {output}: {flake}"
        );
    }
    nix_parse(&root.join("nix/package.nix"));
    let cargo: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let version = cargo["package"]["version"].as_str().unwrap();
    let name = cargo["package"]["name"].as_str().unwrap();

    // The recipe evaluated by Nix, nixpkgs' functions stood in by ones that
    // hand back what they are given.
    let package = evaluate_recipe(&root.join("nix/package.nix"));
    assert_eq!(package["version"], version, "nix/package.nix's version");
    assert_eq!(package["pname"], name);
    assert_eq!(
        package["lockFile"].as_str().map(Path::new),
        Some(root.join("Cargo.lock").as_path()),
        "the lock file the build is pinned by"
    );
    for path in package["fileset"].as_array().unwrap() {
        let path = Path::new(path.as_str().unwrap());
        assert!(path.exists(), "the source set names {}", path.display());
    }

    // Its postInstall, run against this envact with stand-ins for
    // nixpkgs' install hooks, installs completions and man pages.
    let sb = Sandbox::new();
    let out = sb.root.join("out");
    std::fs::create_dir_all(out.join("bin")).unwrap();
    std::os::unix::fs::symlink(support::envact_bin(), out.join("bin/envact")).unwrap();
    let hooks = r#"
installShellCompletion() {
  local cmd=""
  while [ $# -gt 0 ]; do
    case $1 in
      --cmd) cmd=$2; shift 2 ;;
      --bash) mkdir -p "$out/share/bash-completion/completions"; cat "$2" > "$out/share/bash-completion/completions/$cmd"; shift 2 ;;
      --zsh) mkdir -p "$out/share/zsh/site-functions"; cat "$2" > "$out/share/zsh/site-functions/_$cmd"; shift 2 ;;
      --fish) mkdir -p "$out/share/fish/vendor_completions.d"; cat "$2" > "$out/share/fish/vendor_completions.d/$cmd.fish"; shift 2 ;;
      *) echo "unexpected: $1" >&2; return 1 ;;
    esac
  done
}
installManPage() { mkdir -p "$out/share/man/man1"; cp "$@" "$out/share/man/man1/"; }
set -e
eval "$postInstall"
"#;
    let mut bash = Command::new(which("bash"));
    sb.apply_env(&mut bash);
    bash.current_dir(&sb.root)
        .env("out", &out)
        .env("postInstall", package["postInstall"].as_str().unwrap())
        .args(["-c", hooks]);
    let ran = run(bash);
    assert!(ran.status.success(), "postInstall: {}", stderr(&ran));
    let installed = |path: &str, holding: &str| {
        let text = std::fs::read_to_string(out.join(path)).unwrap_or_default();
        assert!(text.contains(holding), "{path} lacks {holding:?}");
    };
    installed("share/bash-completion/completions/envact", "_envact()");
    installed("share/zsh/site-functions/_envact", "#compdef envact");
    installed(
        "share/fish/vendor_completions.d/envact.fish",
        "complete -c envact",
    );
    installed("share/man/man1/envact.1", ".TH envact 1");
    installed("share/man/man1/envact-activate.1", ".TH envact-activate 1");
}

/// nix/package.nix evaluated with stand-ins for what nixpkgs passes it:
/// its name, version, lock file, source set and postInstall, as JSON.
fn evaluate_recipe(recipe: &Path) -> serde_json::Value {
    let expr = format!(
        r#"let
  stub = {{
    lib = {{
      fileset = {{ toSource = {{ root, fileset }}: {{ inherit root fileset; }}; unions = xs: xs; }};
      optionalString = c: s: if c then s else "";
      licenses = {{ mit = "mit"; asl20 = "asl20"; }};
      platforms.unix = [ "unix" ];
    }};
    rustPlatform.buildRustPackage = attrs: attrs;
    installShellFiles = "installShellFiles";
    stdenv.buildPlatform.canExecute = _: true;
    stdenv.hostPlatform = "host";
  }};
  p = import {} stub;
in {{
  inherit (p) pname version postInstall;
  lockFile = toString p.cargoLock.lockFile;
  fileset = map toString p.src.fileset;
}}"#,
        recipe.display()
    );
    let mut cmd = Command::new(which("nix-instantiate"));
    cmd.args([
        "--store", "dummy://", "--eval", "--strict", "--json", "-E", &expr,
    ]);
    let out = run(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

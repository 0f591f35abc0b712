//! A user runs `envact activate` from their own shell, works in the activated
//! subshell, and exits: for bash, zsh and fish, through a real pseudo-terminal.

use crate::support;

use support::{exit_outer_shell, which, Sandbox, SHELLS};

const MANIFEST: &str = r#"
version = 1
name = "demo"

[vars]
GREETING = "hi there"
QUOTED = "it's $HOME `x`"

[hook]
on-activate = "echo hook-ran >> \"$HOME/hook.log\"; echo \"hook sees $GREETING in $ENVACT_ENV\""

[profile]
common = "alias greet='echo alias-says-$GREETING'"
bash = "own_part=bash-profile"
zsh = "own_part=zsh-profile"
fish = "set own_part fish-profile"
"#;

fn activate_and_exit(shell: &str) {
    let sb = Sandbox::with_manifest(MANIFEST);
    let mut p = sb.outer_shell(which(shell).to_str().unwrap());

    p.send_line("envact activate").unwrap();
    p.exp_string("hook sees hi there in demo").unwrap();
    // The prompt marker, in front of the user's own prompt.
    p.exp_string("(demo) inner").unwrap();

    p.send_line("echo \"v=[$GREETING]\"").unwrap();
    p.exp_string("v=[hi there]").unwrap();
    p.send_line("echo \"q=[$QUOTED]\"").unwrap();
    let expected_quoted = "q=[it's $HOME `x`]";
    p.exp_string(expected_quoted).unwrap();
    p.send_line("greet").unwrap();
    p.exp_string("alias-says-hi there").unwrap();
    p.send_line("echo \"own=[$own_part]\"").unwrap();
    p.exp_string(&format!("own=[{shell}-profile]")).unwrap();
    p.send_line("echo \"dir=[$ENVACT_DIR]\"").unwrap();
    p.exp_string(&format!("dir=[{}]", sb.project.display()))
        .unwrap();
    p.send_line("envact status").unwrap();
    p.exp_string("environment: demo").unwrap();

    // The activation's runtime dir exists while the shell runs.
    assert_eq!(
        sb.runtime_leftovers().len(),
        1,
        "{shell}: one runtime dir while active"
    );

    p.send_line("exit 3").unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line("echo \"code=$? g=[${GREETING-absent}] e=[${ENVACT_ENV-absent}]\"")
        .unwrap();
    p.exp_string("code=3 g=[absent] e=[absent]").unwrap();
    p.send_line("envact status; echo status=$?").unwrap();
    p.exp_string("no envact environment is active").unwrap();
    p.exp_string("status=1").unwrap();
    exit_outer_shell(p);

    let log = std::fs::read_to_string(sb.home.join("hook.log")).unwrap();
    assert_eq!(
        log, "hook-ran\n",
        "{shell}: on-activate must run exactly once"
    );
    sb.assert_no_runtime_dir();
}

#[test]
fn bash_subshell_has_vars_profile_prompt_and_clean_exit() {
    activate_and_exit("bash");
}

#[test]
fn zsh_subshell_has_vars_profile_prompt_and_clean_exit() {
    activate_and_exit("zsh");
}

#[test]
fn fish_subshell_has_vars_profile_prompt_and_clean_exit() {
    activate_and_exit("fish");
}

#[test]
fn activating_inside_an_activation_is_refused_and_the_shell_goes_on() {
    for shell in SHELLS {
        let sb = Sandbox::with_manifest(MANIFEST);
        let mut p = sb.outer_shell(which(shell).to_str().unwrap());
        p.send_line("envact activate").unwrap();
        p.exp_string("(demo) inner").unwrap();
        p.send_line("envact activate").unwrap();
        p.exp_string("already inside the envact environment \"demo\"")
            .unwrap();
        p.exp_string("help: nesting is not supported").unwrap();
        // Still in the first activation, with a single marker.
        p.send_line("echo \"still=[$ENVACT_ENV]\"").unwrap();
        p.exp_string("still=[demo]").unwrap();
        assert_eq!(
            sb.runtime_leftovers().len(),
            1,
            "{shell}: no second runtime dir"
        );
        p.send_line("exit").unwrap();
        p.exp_string("outer$ ").unwrap();
        exit_outer_shell(p);
        let log = std::fs::read_to_string(sb.home.join("hook.log")).unwrap();
        assert_eq!(
            log, "hook-ran\n",
            "{shell}: the refused activation ran no hook"
        );
        sb.assert_no_runtime_dir();
    }
}

#[test]
fn user_rc_files_are_read_before_the_manifest_and_the_manifest_wins() {
    let sb = Sandbox::with_manifest(MANIFEST);
    std::fs::write(
        sb.home.join(".bashrc"),
        "PS1='inner$ '\nexport FROM_USER_RC=yes\nexport GREETING=from-user-rc\n",
    )
    .unwrap();
    let mut p = sb.outer_shell(which("bash").to_str().unwrap());
    p.send_line("envact activate").unwrap();
    p.exp_string("(demo) inner$ ").unwrap();
    p.send_line("echo \"u=[$FROM_USER_RC] g=[$GREETING]\"")
        .unwrap();
    p.exp_string("u=[yes] g=[hi there]").unwrap();
    p.send_line("exit").unwrap();
    p.exp_string("outer$ ").unwrap();
    exit_outer_shell(p);
}

#[test]
fn zsh_keeps_the_users_zdotdir() {
    let sb = Sandbox::with_manifest(MANIFEST);
    let zdot = sb.home.join("zdot");
    std::fs::create_dir_all(&zdot).unwrap();
    std::fs::write(zdot.join(".zshenv"), "export FROM_ZSHENV=yes\n").unwrap();
    std::fs::write(zdot.join(".zshrc"), "PROMPT='zdot%# '\n").unwrap();
    let mut p = sb.outer_shell(which("zsh").to_str().unwrap());
    p.send_line(&format!("export ZDOTDIR={}", zdot.display()))
        .unwrap();
    p.send_line("envact activate").unwrap();
    p.exp_string("(demo) zdot").unwrap();
    p.send_line("echo \"e=[$FROM_ZSHENV] z=[$ZDOTDIR]\"")
        .unwrap();
    p.exp_string(&format!("e=[yes] z=[{}]", zdot.display()))
        .unwrap();
    p.send_line("exit").unwrap();
    p.exp_string("outer$ ").unwrap();
    exit_outer_shell(p);
    sb.assert_no_runtime_dir();
}

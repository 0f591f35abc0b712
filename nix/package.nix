# envact's build recipe: nixpkgs' Rust builder, pinned by Cargo.lock. Kept in
# one file so that nixpkgs can take it as it is (with `src` from a release).
{
  lib,
  rustPlatform,
  installShellFiles,
  stdenv,
}:

rustPlatform.buildRustPackage {
  pname = "envact";
  # tests/packaging.rs checks that this is Cargo.toml's version.
  version = "0.1.0";

  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../Cargo.toml
      ../Cargo.lock
      ../src
      ../hooks
      ../env-templates
    ];
  };

  cargoLock.lockFile = ../Cargo.lock;

  nativeBuildInputs = [ installShellFiles ];

  # The tests drive real shells on a pseudo-terminal, gnome-keyring on a
  # D-Bus session, pass with gpg, moto's STS server and git daemon on
  # loopback: run them in the dev shell (`nix develop`, then the README's
  # test command), not in the sandbox.
  doCheck = false;

  # Completions and man pages come from the binary's own clap definitions.
  postInstall = lib.optionalString (stdenv.buildPlatform.canExecute stdenv.hostPlatform) ''
    installShellCompletion --cmd envact \
      --bash <($out/bin/envact completions bash) \
      --zsh <($out/bin/envact completions zsh) \
      --fish <($out/bin/envact completions fish)
    mkdir -p man
    $out/bin/envact man --dir man
    installManPage man/*.1
  '';

  meta = {
    description = "Reproducible dev-environment activator for teams that work against AWS";
    longDescription = ''
      envact reads a project's .envact/manifest.toml, takes the long-term AWS
      keys from a secrets backend (1Password, the OS keyring, pass, an
      encrypted file), trades them for short-lived STS credentials (MFA, role
      chains) and gives them only to the commands that need them, in a
      subshell or under direnv.
    '';
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "envact";
    platforms = lib.platforms.unix;
  };
}

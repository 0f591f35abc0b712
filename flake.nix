{
  description = "envact: reproducible dev-environment activator for teams that work against AWS";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      # The recipe itself is nix/package.nix, the file nixpkgs can take.
      packages = forAllSystems (pkgs: rec {
        envact = pkgs.callPackage ./nix/package.nix { };
        default = envact;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.envact}/bin/envact";
        };
      });

      overlays.default = final: _prev: {
        envact = final.callPackage ./nix/package.nix { };
      };

      # What building and testing need: the README's test command runs here.
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.envact ];
          packages =
            (with pkgs; [
              cargo
              rustc
              clippy
              rustfmt
              zsh
              fish
              shellcheck
              dbus
              gnome-keyring
              libsecret
              keyutils
              pass
              gnupg
              git
              direnv
              hyperfine
              awscli
              man
            ])
            ++ [
              (pkgs.python3.withPackages (ps: [
                ps.moto
                ps.flask
                ps.flask-cors
              ]))
            ];
        };
      });

      checks = forAllSystems (pkgs: {
        envact = self.packages.${pkgs.stdenv.hostPlatform.system}.envact;
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt);
    };
}

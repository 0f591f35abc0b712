# shellcheck shell=bash
# envact: start of the rc that envact generates for an activated bash.
# An interactive bash reads this instead of ~/.bashrc (--rcfile), so the user's
# own startup files come first; envact's [vars] and [profile] follow and win.
# `envact activate -- CMD` runs bash non-interactively, which reads neither.
if [[ $- == *i* ]]; then
  if [[ -r /etc/bash.bashrc ]]; then
    # shellcheck source=/dev/null
    . /etc/bash.bashrc
  fi
  if [[ -r ~/.bashrc ]]; then
    # shellcheck source=/dev/null
    . ~/.bashrc
  fi
fi

#!/usr/bin/env bash
# Installs exposure under PREFIX: the binary, its man page and shell completions.
# Usage: scripts/install.sh BINARY PREFIX
set -euo pipefail
bin=$1
prefix=$2
cd "$(dirname "$0")/.."
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 755 "$bin" "$prefix/bin/exposure"
"$bin" --experimental-dump-help | python3 scripts/make-manpage.py > "$prefix/share/man/man1/exposure.1"
"$bin" --generate-completion-script bash > "$prefix/share/bash-completion/completions/exposure"
"$bin" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_exposure"
"$bin" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/exposure.fish"
echo "installed exposure, its man page and completions under $prefix"

#!/bin/sh
# Prints the text of a PDF: pdf-text.sh <file.pdf> [first-page] [last-page]. Output is capped so
# a huge document cannot flood the agent's context.
set -eu
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: pdf-text.sh <file.pdf> [first-page] [last-page]" >&2
  exit 2
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  echo "pdftotext is not installed (package poppler-utils)" >&2
  exit 3
fi
file=$1
first=${2:-1}
last=${3:-}
case "$first$last" in *[!0-9]*) echo "pages must be numbers" >&2; exit 2 ;; esac
if [ -n "$last" ]; then
  pdftotext -layout -enc UTF-8 -f "$first" -l "$last" -- "$file" - | head -c 200000
else
  pdftotext -layout -enc UTF-8 -f "$first" -- "$file" - | head -c 200000
fi

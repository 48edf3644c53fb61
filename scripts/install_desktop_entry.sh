#!/usr/bin/env bash
# Adds "Attendance" to the Linux desktop's application menu for the current user:
#   ${XDG_DATA_HOME:-~/.local/share}/applications/attendance-app.desktop  (runs scripts/launch.sh)
#   ${XDG_DATA_HOME:-~/.local/share}/icons/hicolor/scalable/apps/attendance-app.svg
# Run it yourself (README "Two commands"); nothing else installs it. --remove takes both away.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
entry="$data/applications/attendance-app.desktop"
icon="$data/icons/hicolor/scalable/apps/attendance-app.svg"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$entry" "$icon"
  echo "[desktop] removed $entry and $icon"
  exit 0
fi
mkdir -p "$(dirname "$entry")" "$(dirname "$icon")"
cp "$root/assets/icons/app.svg" "$icon"
# Exec quotes the path (the Desktop Entry spec allows spaces inside double quotes).
cat > "$entry.tmp" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.5
Name=Attendance
GenericName=Face-recognition attendance
Comment=Take attendance offline by face recognition
Exec="$root/scripts/launch.sh"
Icon=attendance-app
Terminal=false
Categories=Education;Office;
Keywords=attendance;face;recognition;register;
StartupNotify=true
DESKTOP
mv "$entry.tmp" "$entry"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
echo "[desktop] installed $entry and $icon (remove with: bash scripts/install_desktop_entry.sh --remove)"

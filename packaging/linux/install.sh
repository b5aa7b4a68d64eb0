#!/bin/sh
# Put evsurvey in the Linux desktop menu for the current user: the launcher, the
# .evsurvey file type (so a double-clicked project opens in evsurvey), the icons and
# the AppStream metadata, all under $XDG_DATA_HOME (default ~/.local/share). No root.
#
#   packaging/linux/install.sh                    # launcher runs `evsurvey-gui` from PATH
#   packaging/linux/install.sh --exec /opt/evsurvey/evsurvey   # e.g. a PyInstaller build
#   packaging/linux/install.sh --uninstall
#   evsurvey-VERSION-linux-ARCH/desktop/install.sh   # in the unpacked Linux download
#
# The program itself is installed separately (`uv tool install evsurvey`, pipx, or the
# PyInstaller folder); this script only writes the desktop integration. In the Linux
# download (packaging/build-linux) it sits in desktop/ beside the bundle's program, which
# the launcher then runs unless --exec says otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -d "$here/icons" ]; then
    icons_src="$here/icons"  # the Linux download
else
    icons_src="$here/../../assets/icons"  # a source checkout
fi
data_home=${XDG_DATA_HOME:-"$HOME/.local/share"}
exec_cmd=""
[ -x "$here/../evsurvey" ] && [ -d "$here/../_internal" ] && exec_cmd="$(cd "$here/.." && pwd)/evsurvey"
uninstall=0

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --exec)
            [ $# -ge 2 ] || { echo "install.sh: --exec needs the path of the evsurvey program" >&2; exit 2; }
            exec_cmd=$2
            shift 2
            ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

apps_dir="$data_home/applications"
mime_dir="$data_home/mime"
hicolor_dir="$data_home/icons/hicolor"
metainfo_dir="$data_home/metainfo"
sizes="16 32 48 64 128 256 512"

# Each cache is rebuilt only where its tool exists: a minimal system without them still
# gets working files, picked up at the next login or by the desktop's own watcher.
refresh_caches() {
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database "$mime_dir" || echo "install.sh: update-mime-database failed; the file type shows after the next login" >&2
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$apps_dir" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        # -t: the user's hicolor folder has no index.theme of its own.
        gtk-update-icon-cache -f -t "$hicolor_dir" >/dev/null 2>&1 || true
    fi
}

if [ "$uninstall" -eq 1 ]; then
    rm -f "$apps_dir/evsurvey.desktop" "$mime_dir/packages/evsurvey.xml" \
        "$metainfo_dir/io.github.evsurvey.metainfo.xml" "$hicolor_dir/scalable/apps/evsurvey.svg"
    for s in $sizes; do
        rm -f "$hicolor_dir/${s}x${s}/apps/evsurvey.png"
    done
    mkdir -p "$apps_dir" "$mime_dir/packages" "$hicolor_dir"
    refresh_caches
    echo "evsurvey's launcher, file type and icons removed from $data_home"
    exit 0
fi

for f in "$here/evsurvey.desktop" "$here/evsurvey-mime.xml" "$here/io.github.evsurvey.metainfo.xml" \
         "$icons_src/evsurvey.svg"; do
    [ -f "$f" ] || { echo "install.sh: $f is missing; run this script from an evsurvey source checkout or the unpacked Linux download" >&2; exit 1; }
done

mkdir -p "$apps_dir" "$mime_dir/packages" "$metainfo_dir" "$hicolor_dir/scalable/apps"

if [ -n "$exec_cmd" ]; then
    case "$exec_cmd" in
        /*) ;;
        *) exec_cmd="$(pwd)/$exec_cmd" ;;
    esac
    [ -x "$exec_cmd" ] || { echo "install.sh: $exec_cmd is not an executable file; give the path of the evsurvey program" >&2; exit 2; }
    # The Exec key has its own quoting rules; rather than escape these characters,
    # ask for a plain path (the launcher would silently fail otherwise).
    case "$exec_cmd" in
        *[\"\`\$\\\'\ ]*) echo "install.sh: '$exec_cmd' has a space, quote, \$, \` or backslash; move evsurvey to a plain path" >&2; exit 2 ;;
    esac
    sed -e "s|^Exec=.*|Exec=$exec_cmd %f|" -e "s|^TryExec=.*|TryExec=$exec_cmd|" \
        "$here/evsurvey.desktop" > "$apps_dir/evsurvey.desktop"
else
    cp "$here/evsurvey.desktop" "$apps_dir/evsurvey.desktop"
    command -v evsurvey-gui >/dev/null 2>&1 || echo "install.sh: note: evsurvey-gui is not on PATH yet; the menu entry stays hidden until it is (uv tool install evsurvey), or rerun with --exec PATH" >&2
fi
chmod 644 "$apps_dir/evsurvey.desktop"

cp "$here/evsurvey-mime.xml" "$mime_dir/packages/evsurvey.xml"
cp "$here/io.github.evsurvey.metainfo.xml" "$metainfo_dir/io.github.evsurvey.metainfo.xml"
cp "$icons_src/evsurvey.svg" "$hicolor_dir/scalable/apps/evsurvey.svg"
for s in $sizes; do
    mkdir -p "$hicolor_dir/${s}x${s}/apps"
    cp "$icons_src/evsurvey-$s.png" "$hicolor_dir/${s}x${s}/apps/evsurvey.png"
done

refresh_caches
echo "evsurvey's launcher, .evsurvey file type and icons installed in $data_home"

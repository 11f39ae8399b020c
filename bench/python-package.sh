# Sourced by the benchmarks that compare with Python: need_python_module MODULE PACKAGE installs Debian's
# PACKAGE when Debian's /usr/bin/python3 cannot import MODULE (another python3 may come first on PATH).
need_python_module() {
  if ! /usr/bin/python3 -c "import $1" 2>/dev/null; then
    echo "bench: installing $2" >&2
    local sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$2" > /dev/null
  fi
}

#!/usr/bin/env bash
# Builds mldev and installs it as an application directory:
#   PREFIX/lib/mldev/lib/*.jar      every runtime jar once (no fat jar: the ONNX Runtime GPU jar is 435 MB)
#   PREFIX/lib/mldev/native/        ONNX Runtime's native libraries, unpacked once instead of on every run
#   PREFIX/lib/mldev/mldev.jsa      an AppCDS archive for a fast start
#   PREFIX/bin/mldev                the launcher
# plus shell completions. Usage: ./install.sh [--prefix DIR] [--cpu] [--uninstall [--purge]]
# --purge also removes mldev's caches, settings and, when it records no deployment, its state.
# or, from a release archive with only a Java runtime (no Maven, no network): ./install.sh --from ARCHIVE [--prefix DIR]
# where ARCHIVE is mldev-VERSION-linux-x64.tar.gz, mldev-VERSION-cost.tar.gz or the directory one was unpacked into.
set -euo pipefail

prefix="$HOME/.local"
profile=""
uninstall=false
purge=false
from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --cpu) profile="-Pcpu"; shift ;;
    --from) from="${2:?--from needs a release archive (mldev-VERSION-cost.tar.gz or -linux-x64.tar.gz)}"; shift 2 ;;
    --from=*) from="${1#--from=}"; shift ;;
    --uninstall) uninstall=true; shift ;;
    --purge) purge=true; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see ./install.sh --help)" >&2; exit 2 ;;
  esac
done
if $purge && ! $uninstall; then
  echo "install.sh: --purge goes with --uninstall (./install.sh --uninstall --purge)" >&2
  exit 2
fi
prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
app="$prefix/lib/mldev"
bash_completion="$prefix/share/bash-completion/completions/mldev"
zsh_completion="$prefix/share/mldev/completions/mldev.zsh"
fish_completion="$prefix/share/fish/vendor_completions.d/mldev.fish"

if $uninstall; then
  rm -rf "$app" "$prefix/bin/mldev" "$bash_completion" "$zsh_completion" "$fish_completion"
  # the directories install.sh may have created, each only when nothing else is left in it
  for dir in "$prefix/share/mldev/completions" "$prefix/share/mldev" "$(dirname "$bash_completion")" \
      "$prefix/share/bash-completion" "$(dirname "$fish_completion")" "$prefix/share/fish" "$prefix/share" \
      "$prefix/lib" "$prefix/bin"; do
    rmdir "$dir" 2>/dev/null || true
  done
  echo "mldev removed from $prefix"
  # what mldev itself wrote, where it writes it (the XDG variables first, as mldev reads them)
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/mldev"
  config="${XDG_CONFIG_HOME:-$HOME/.config}/mldev"
  state="${XDG_STATE_HOME:-$HOME/.local/state}/mldev"
  records=$(ls "$state/deployments"/*.json 2>/dev/null | wc -l || true)
  left=""
  for dir in "$cache" "$config" "$state"; do
    if [ ! -e "$dir" ]; then
      continue
    elif $purge && { [ "$dir" != "$state" ] || [ "$records" -eq 0 ]; }; then
      rm -rf "$dir"
      echo "removed $dir"
    else
      left="$left $dir"
    fi
  done
  if [ "$records" -gt 0 ]; then
    echo "left $state: it records $records deployment(s) that may still run or bill;" \
      "see 'mldev status' and undeploy them first" >&2
  fi
  if [ -n "$left" ] && ! $purge; then
    echo "left what mldev wrote:$left (./install.sh --uninstall --purge removes it)" >&2
  fi
  exit 0
fi

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$java_bin" >/dev/null 2>&1; then
  echo "install.sh: Java 17 or newer is needed: install a JDK (e.g. apt-get install openjdk-17-jdk) or set JAVA_HOME" >&2
  exit 1
fi
java_bin=$(command -v "$java_bin")
java_major=$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "install.sh: Java $java_major found at $java_bin; mldev needs Java 17 or newer (set JAVA_HOME)" >&2
  exit 1
fi
repo="$(cd "$(dirname "$0")" && pwd)"
# the application directory is assembled beside the installed one, then swapped in
new_stage() {
  rm -rf "$app.new"
  mkdir -p "$app.new/lib" "$app.new/native"
  echo "$app.new"
}
if [ -n "$from" ]; then
  # a release archive: its jars, and the natives it carries already unpacked
  if [ -d "$from" ]; then
    release=$(cd "$from" && pwd)
  elif [ -f "$from" ]; then
    unpacked=$(mktemp -d)
    trap 'rm -rf "$unpacked"' EXIT
    tar -xzf "$from" -C "$unpacked" 2>/dev/null || { echo "install.sh: $from is not a readable .tar.gz release archive" >&2; exit 1; }
    release=$(ls -d "$unpacked"/mldev-*/ 2>/dev/null | head -n 1)
  else
    echo "install.sh: --from $from: no such file or directory" >&2
    exit 2
  fi
  if [ -z "${release:-}" ] || ! ls "$release"/lib/mldev-*.jar >/dev/null 2>&1; then
    echo "install.sh: $from is not an mldev release archive (no lib/mldev-*.jar inside)" >&2
    exit 1
  fi
  stage=$(new_stage)
  cp "$release"/lib/*.jar "$stage/lib/"
  if [ -d "$release/native" ]; then
    cp "$release"/native/* "$stage/native/" 2>/dev/null || true
  fi
  completions="$release/completions"
  echo "installing mldev from $(basename "$from")..." >&2
else
  if ! command -v mvn >/dev/null 2>&1; then
    echo "install.sh: Maven is needed to build mldev (e.g. apt-get install maven), or install a release archive with --from" >&2
    exit 1
  fi
  cd "$repo"
  echo "building mldev${profile:+ (CPU-only ONNX Runtime)}..." >&2
  mvn -q -B package -DskipTests $profile
  jar=$(ls target/mldev-*.jar | head -n 1)
  stage=$(new_stage)
  cp target/lib/*.jar "$jar" "$stage/lib/"
  completions="$repo/completions"

  # unpack ONNX Runtime's native libraries for this machine once
  case "$(uname -m)" in
    x86_64|amd64) ort_arch=linux-x64 ;;
    aarch64|arm64) ort_arch=linux-aarch64 ;;
    *) ort_arch="" ;;
  esac
  ort_jar=$(ls "$stage"/lib/onnxruntime*.jar | head -n 1)
  if [ -n "$ort_arch" ]; then
    unpack=$(mktemp -d)
    (cd "$unpack" && "$(dirname "$java_bin")/jar" xf "$ort_jar" "ai/onnxruntime/native/$ort_arch/")
    if [ -d "$unpack/ai/onnxruntime/native/$ort_arch" ]; then
      mv "$unpack/ai/onnxruntime/native/$ort_arch"/* "$stage/native/"
    fi
    rm -rf "$unpack"
  fi
fi
native_opt=""
if [ -n "$(ls -A "$stage/native")" ]; then
  native_opt="-Donnxruntime.native.path=$app/native"
fi

# The JVM looks a class up jar by jar in classpath order, opening each jar on the way: mldev's own jar and what
# every start needs come first, or each start pays for opening 100 cloud-library jars (about 0.1 s here).
classpath=$(cd "$stage/lib" && printf '%s\n' mldev-*.jar picocli-*.jar jackson-*.jar $(ls onnxruntime*.jar 2>/dev/null) *.jar \
  | awk '!seen[$0]++' | sed "s|^|$app/lib/|" | paste -sd: -)
rm -rf "$app"
mv "$stage" "$app"

# AppCDS: list the classes a start loads (--help, doctor for ONNX Runtime's), then archive them so later
# starts map them instead of loading them. A static archive, since picocli's Java 5 class files are refused by
# dynamic (-XX:ArchiveClassesAtExit) archives.
jvm_opts="-Dpicocli.disable.closures=true $native_opt"
short_run_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
# With the example models at hand (scripts/fetch-test-models), a real package and predict are trained too.
classlist=$(mktemp)
training_dir=$(mktemp -d)
trainings=("--help" "doctor --json")
models=""
[ -z "$from" ] && models=$("$repo/scripts/fetch-test-models" --offline 2>/dev/null || true)
if [ -n "$models" ]; then
  trainings+=("package $models/ch_ppocr_mobile_v2.0_cls_infer.onnx --preset ppocr-cls --out $training_dir/cls"
              "predict --local --device cpu --json --model $training_dir/cls $repo/examples/hello.png")
fi
for training in "${trainings[@]}"; do
  XDG_CACHE_HOME="$training_dir/cache" "$java_bin" -XX:DumpLoadedClassList="$classlist.part" $short_run_opts $jvm_opts \
    -cp "$classpath" dev.mldev.cli.Cli $training >/dev/null 2>&1 || true
  cat "$classlist.part" >> "$classlist" 2>/dev/null || true
done
rm -rf "$training_dir"
sort -u "$classlist" -o "$classlist"
"$java_bin" -Xshare:dump -XX:SharedClassListFile="$classlist" -XX:SharedArchiveFile="$app/mldev.jsa" \
  -Xlog:cds=off $short_run_opts $jvm_opts -cp "$classpath" >/dev/null 2>&1 || rm -f "$app/mldev.jsa"
rm -f "$classlist" "$classlist.part"

mkdir -p "$prefix/bin"
cat > "$prefix/bin/mldev" <<LAUNCHER
#!/bin/sh
# mldev launcher, written by install.sh. MLDEV_JAVA_OPTS adds JVM options.
java="\${MLDEV_JAVA:-$java_bin}"
cds=""
if [ -z "\${MLDEV_JAVA:-}" ] && [ -f "$app/mldev.jsa" ]; then
  cds="-XX:SharedArchiveFile=$app/mldev.jsa -Xshare:auto"
fi
# short commands start faster with the client compiler and serial GC; a server wants the optimising compiler
tuning="$short_run_opts"
[ "\${1:-}" = serve ] && tuning=""
exec "\$java" \$cds \$tuning $jvm_opts \${MLDEV_JAVA_OPTS:-} -cp "$classpath" dev.mldev.cli.Cli "\$@"
LAUNCHER
chmod +x "$prefix/bin/mldev"

mkdir -p "$(dirname "$bash_completion")" "$(dirname "$zsh_completion")" "$(dirname "$fish_completion")"
cp "$completions/mldev.bash" "$bash_completion"
cp "$completions/mldev.zsh" "$zsh_completion"
cp "$completions/mldev.fish" "$fish_completion"

echo "installed $("$prefix/bin/mldev" --version) to $prefix/bin/mldev" >&2
echo "completions: bash and fish load them by themselves; zsh: add 'source $zsh_completion' to ~/.zshrc" >&2
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on your PATH; add it: export PATH=\"$prefix/bin:\$PATH\"" >&2 ;;
esac

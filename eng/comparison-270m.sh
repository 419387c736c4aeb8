#!/usr/bin/env bash
# The thread sweep on gemma-3-270m (see eng/comparison.sh for THREADS and MODEL).
exec "$(dirname "${BASH_SOURCE[0]}")/comparison.sh" gemma-3-270m "$@"

# Set-up shared by the test scripts, one concern per file in test/lib/. Sourced, not run.

SNOWFLAKE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

source "$SNOWFLAKE_ROOT/test/lib/versions.sh"
source "$SNOWFLAKE_ROOT/test/lib/build.sh"
source "$SNOWFLAKE_ROOT/test/lib/servers.sh"
source "$SNOWFLAKE_ROOT/test/lib/chroots.sh"
source "$SNOWFLAKE_ROOT/test/lib/results.sh"

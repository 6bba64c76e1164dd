/* extension/schema/05_types.sql: enumerations and the API's result row */

CREATE TYPE todo.task_status AS ENUM ('pending', 'completed');

-- declared in ascending order, so ORDER BY priority means low, medium, high
CREATE TYPE todo.task_priority AS ENUM ('low', 'medium', 'high');

-- What every API function returns (docs/sql-api.md): the envelope's data and meta, and an
-- error to report that must still be committed (a failed login counts towards throttling).
CREATE TYPE api.result AS (data json, meta json, error json);

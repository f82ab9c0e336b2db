"""One Screen class per view: main views (switched with F-keys) and sub-main views (pushed, Esc goes back)."""

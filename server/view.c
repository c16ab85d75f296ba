#include "view.h"

#include "clock.h"

json_t *view_time(int64_t us)
{
  char text[CLOCK_RFC3339_SIZE];
  clock_format(us, text);
  return json_string(text);
}

json_t *view_account(const struct db_account *a)
{
  return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)a->id, "role", a->role,
                   "username", a->username, "display_name", a->display_name, "created_at",
                   view_time(a->created_at));
}

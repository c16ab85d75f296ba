#include "shop_access.h"

#include "db_internal.h"

enum db_status db_shop_owned(int64_t shop_id, int64_t merchant_id)
{
  static struct db_stmt q = DB_STMT(2, "SELECT 1 FROM shops WHERE id = $1 AND merchant_id = $2");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)});
}

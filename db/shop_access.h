/* Who owns what: the checks that keep one merchant out of another's shops. */
#ifndef MERCHANTD_DB_SHOP_ACCESS_H
#define MERCHANTD_DB_SHOP_ACCESS_H

#include "db.h"

#include <stdint.h>

/* DB_ONE when the shop exists and belongs to the merchant, else DB_NONE. */
enum db_status db_shop_owned(int64_t shop_id, int64_t merchant_id);

#endif

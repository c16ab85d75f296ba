/* The receiver's name and phone as the merchant sees them while the
 * platform holds an order: enough to recognise, not enough to use. */
#ifndef MERCHANTD_MASK_H
#define MERCHANTD_MASK_H

/* Big enough for any stored name (50 characters) or phone (20). */
#define MASK_SIZE 256

/* "张三" → "张*", "欧阳娜娜" → "欧***": the first character kept and one '*'
 * for each other (a name of one character is all '*'). Characters are
 * UTF-8 sequences, not bytes. */
void mask_name(const char *name, char out[MASK_SIZE]);
/* "13812345678" → "138****5678": the first three and the last four kept
 * when at least eight long; shorter, only the last four. */
void mask_phone(const char *phone, char out[MASK_SIZE]);

#endif

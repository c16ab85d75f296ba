-- The image space: a shop's (and a buyer's) library of uploaded pictures.
-- The files live in the media store, named by the SHA-256 of the stored
-- original; these rows say what exists. A space's usage is a counter row
-- whose CHECKs are the quota, changed in the same transaction as the rows
-- it counts, so no race can pass it.

CREATE TABLE image_spaces (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id     bigint UNIQUE REFERENCES shops (id),
  buyer_id    bigint UNIQUE REFERENCES accounts (id),
  bytes_used  bigint NOT NULL DEFAULT 0,
  images_used integer NOT NULL DEFAULT 0,
  bytes_max   bigint NOT NULL CHECK (bytes_max > 0),
  images_max  integer NOT NULL CHECK (images_max > 0),
  CONSTRAINT image_spaces_one_owner CHECK ((shop_id IS NULL) <> (buyer_id IS NULL)),
  CONSTRAINT image_spaces_bytes_quota CHECK (bytes_used BETWEEN 0 AND bytes_max),
  CONSTRAINT image_spaces_images_quota CHECK (images_used BETWEEN 0 AND images_max)
);
COMMENT ON TABLE image_spaces IS 'one per shop or buyer that uploaded: usage counters whose CHECKs are the quota';

CREATE TABLE image_folders (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  space_id   bigint NOT NULL REFERENCES image_spaces (id),
  parent_id  bigint,
  depth      smallint NOT NULL CHECK (depth BETWEEN 1 AND 3),
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL,
  UNIQUE (space_id, id),
  FOREIGN KEY (space_id, parent_id) REFERENCES image_folders (space_id, id),
  CONSTRAINT image_folders_root_depth CHECK ((parent_id IS NULL) = (depth = 1))
);
COMMENT ON TABLE image_folders IS 'folders of an image space, nested at most three deep; a parent is in the same space';
CREATE INDEX image_folders_space ON image_folders (space_id, parent_id, id);

CREATE TABLE images (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  space_id   bigint NOT NULL REFERENCES image_spaces (id),
  folder_id  bigint,
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 128),
  sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  format     text NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'gif')),
  width      integer NOT NULL CHECK (width BETWEEN 1 AND 16383),
  height     integer NOT NULL CHECK (height BETWEEN 1 AND 16383),
  bytes      bigint NOT NULL CHECK (bytes > 0),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (space_id, id),
  FOREIGN KEY (space_id, folder_id) REFERENCES image_folders (space_id, id)
);
COMMENT ON TABLE images IS 'entries of an image space; sha256 names the stored files (original and two WebP renditions)';
COMMENT ON COLUMN images.bytes IS 'size of the stored original, what the space''s quota counts';
CREATE INDEX images_space_newest ON images (space_id, id DESC);
CREATE INDEX images_folder_newest ON images (space_id, folder_id, id DESC);
CREATE INDEX images_sha256 ON images (sha256);

-- A SKU's preview image (规格预览图), from its shop's space.
ALTER TABLE skus ADD COLUMN image_id bigint REFERENCES images (id);
CREATE INDEX skus_image ON skus (image_id) WHERE image_id IS NOT NULL;
COMMENT ON COLUMN skus.image_id IS 'the SKU''s preview image, an entry of the shop''s image space';

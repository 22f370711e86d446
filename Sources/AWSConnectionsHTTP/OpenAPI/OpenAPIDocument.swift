/// The service's OpenAPI 3.1 document, served as is at `GET /pictoryapis/v1/openapi.json`.
///
/// Hand-written, and the single source of the document (pretty-printed JSON, no YAML copy):
/// - The dependency set has no OpenAPI generator, and adding one (a build plugin plus a
///   runtime) to describe seven routes is not worth it; a generator would also derive the
///   document from the code, so a behaviour the code gets wrong would be documented wrong
///   instead of being caught.
/// - The document is the contract, written from `CONTRACT.md` and the README, and CI checks
///   the server against it: `OpenAPITests` (every problem code of `ProblemCatalog`, every
///   region of `AWSRegion`, field limits, every documented operation is routed) and
///   `.ci/api-fuzz` (openapi-spec-validator on the served document, then schemathesis
///   fuzzing a live server with it).
///
/// When a behaviour changes, change this document in the same commit. It is a raw string:
/// write JSON exactly as it is sent (`\"` stays `\"`); only `"""#` would end it.
enum OpenAPIDocument {
    static let json: String = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "AWS private connections API",
    "version": "1.0.0",
    "summary": "Connections that let the platform read a customer's private S3 objects.",
    "description": "Customers record an AWS account id and region so the platform can assume an IAM role there and read their private S3 objects.\n\n**Authentication.** Every call under `/pictoryapis/v1/awsconnections` needs an API key in `Authorization`, either bare (`Authorization: pictai_...`) or as `Authorization: Bearer pictai_...` (scheme in any case). A key belongs to one account and carries the scopes `connections:read` and/or `connections:write`. A caller sees only its own account's connections: another account's connection is 403 `forbidden`.\n\n**Errors.** Every error is `application/problem+json` (RFC 9457) with `type` (`/problems/<code>`, served by `GET /problems/{code}`), `title`, `status`, `detail`, `code` and `requestId`, plus `errors`, `currentVersion` or `limit` where stated. Checks run in this order: authentication (401), the key's scope (403), media type (415), size (413), body and headers (400), existence (404), ownership (403), version (409, or 412 with `If-Match`), quota (422).\n\n**Not attached to an operation.** A path that does not exist is 404 `not_found`. A known API path with a method it does not take is 405 `method_not_allowed` with `Allow`, answered before authentication. Every response carries `X-Request-Id`.\n\n**Request bodies** are parsed strictly (RFC 8259): no trailing commas, comments, single quotes, `NaN`, byte-order mark, duplicate member names, invalid UTF-8 or unpaired surrogates, at most 32 levels of nesting; all are 400 `invalid_json`. Unknown and server-owned members are never ignored (400 `unknown_field` / `immutable_field`).\n\nThis document is hand-written and is the contract; CI validates it and fuzzes the server against it (`.ci/api-fuzz`)."
  },
  "tags": [
    {
      "name": "connections",
      "description": "AWS private connections of the caller's account."
    },
    {
      "name": "meta",
      "description": "This document and the problem codes; no key needed."
    }
  ],
  "security": [
    {
      "apiKey": []
    }
  ],
  "paths": {
    "/pictoryapis/v1/awsconnections": {
      "post": {
        "operationId": "createConnection",
        "tags": [
          "connections"
        ],
        "summary": "Create a connection",
        "description": "Scope `connections:write`. Checks in order: 401, 403 scope, 415, 413, 400 body, 400 `Idempotency-Key`, 422. A request without `Idempotency-Key` always creates.",
        "parameters": [
          {
            "$ref": "#/components/parameters/Idempotency-Key"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateConnectionRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Created (or, with `Idempotent-Replayed: true`, the replayed first answer). Version 1.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "Location": {
                "$ref": "#/components/headers/Location"
              },
              "ETag": {
                "$ref": "#/components/headers/ETag"
              },
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/Idempotent-Replayed"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Connection"
                }
              }
            }
          },
          "400": {
            "description": "The body is not a JSON object (`invalid_json`) or breaks a field rule (`validation_failed`, `immutable_field`, `unknown_field`, with `errors`), or the `Idempotency-Key` is malformed (`invalid_idempotency_key`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_json",
                            "validation_failed",
                            "immutable_field",
                            "unknown_field",
                            "invalid_idempotency_key"
                          ]
                        },
                        "status": {
                          "const": 400
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/InsufficientScope"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "description": "`idempotency_key_reused`: the `Idempotency-Key` was used in the last 24 hours with a different request; nothing was created. `quota_exceeded`: the account already has `limit` connections (the operator's quota, 10,000 by default); nothing was created. A replayed idempotent create is never refused by the quota.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "idempotency_key_reused",
                            "quota_exceeded"
                          ]
                        },
                        "status": {
                          "const": 422
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/StoreUnavailable"
          }
        }
      },
      "get": {
        "operationId": "listConnections",
        "tags": [
          "connections"
        ],
        "summary": "List the account's connections",
        "description": "Scope `connections:read`. Oldest first (creation time, then id). Filters combine with each other and with paging. Paging is by position, not offset: while others create and delete, every connection that exists throughout is returned exactly once. Unknown query parameters are ignored.",
        "parameters": [
          {
            "$ref": "#/components/parameters/limit"
          },
          {
            "$ref": "#/components/parameters/nextToken"
          },
          {
            "$ref": "#/components/parameters/enabled"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "responses": {
          "200": {
            "description": "The page.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ConnectionList"
                }
              }
            }
          },
          "400": {
            "description": "A bad `limit`, `nextToken` or `enabled`; `errors` names each.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "const": "validation_failed"
                        },
                        "status": {
                          "const": 400
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/InsufficientScope"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/StoreUnavailable"
          }
        }
      }
    },
    "/pictoryapis/v1/awsconnections/{connectionid}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/connectionid"
        }
      ],
      "get": {
        "operationId": "getConnection",
        "tags": [
          "connections"
        ],
        "summary": "Get a connection",
        "description": "Scope `connections:read`. Checks in order: 401, 403 scope, 404, 403 ownership, then `If-None-Match`.",
        "parameters": [
          {
            "$ref": "#/components/parameters/If-None-Match"
          }
        ],
        "responses": {
          "200": {
            "description": "The connection.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "ETag": {
                "$ref": "#/components/headers/ETag"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Connection"
                }
              }
            }
          },
          "304": {
            "description": "`If-None-Match` matched the current version. No body.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "ETag": {
                "$ref": "#/components/headers/ETag"
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/ForbiddenOrScope"
          },
          "404": {
            "$ref": "#/components/responses/ConnectionNotFound"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/StoreUnavailable"
          }
        }
      },
      "put": {
        "operationId": "updateConnection",
        "tags": [
          "connections"
        ],
        "summary": "Update a connection",
        "description": "Scope `connections:write`. `enabled` or `description` omitted (or `null`): the stored value is kept. The version check and the write are one atomic statement: two updates carrying the same version never both succeed. Checks in order: 401, 403 scope, 415, 413, 400 (body, `If-Match`), 404, 403 ownership, 409 (or 412 when `If-Match` named the version).",
        "parameters": [
          {
            "$ref": "#/components/parameters/If-Match"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/UpdateConnectionRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The updated connection, at the next version.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "ETag": {
                "$ref": "#/components/headers/ETag"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Connection"
                }
              }
            }
          },
          "400": {
            "description": "The body is not a JSON object (`invalid_json`), breaks a field rule (`validation_failed`, `immutable_field`, `unknown_field`, with `errors`), or `If-Match` is malformed (`invalid_if_match`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_json",
                            "validation_failed",
                            "immutable_field",
                            "unknown_field",
                            "invalid_if_match"
                          ]
                        },
                        "status": {
                          "const": 400
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/ForbiddenOrScope"
          },
          "404": {
            "$ref": "#/components/responses/ConnectionNotFound"
          },
          "409": {
            "description": "The body's `version` is not the stored one; `currentVersion` carries it. Nothing changed.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "const": "version_conflict"
                        },
                        "status": {
                          "const": 409
                        }
                      },
                      "required": [
                        "currentVersion"
                      ]
                    }
                  ]
                }
              }
            }
          },
          "412": {
            "description": "`If-Match` names a version that is not the stored one; `currentVersion` carries it. Nothing changed.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "const": "precondition_failed"
                        },
                        "status": {
                          "const": 412
                        }
                      },
                      "required": [
                        "currentVersion"
                      ]
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/StoreUnavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteConnection",
        "tags": [
          "connections"
        ],
        "summary": "Delete a connection",
        "description": "Scope `connections:write`. Afterwards the id is 404. With `If-Match`, deletes only if the connection is still at that version. Checks in order: 401, 403 scope, 400 `If-Match`, 404, 403 ownership, 412.",
        "parameters": [
          {
            "$ref": "#/components/parameters/If-Match"
          }
        ],
        "responses": {
          "204": {
            "description": "Deleted. No body.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            }
          },
          "400": {
            "description": "`If-Match` is malformed.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "const": "invalid_if_match"
                        },
                        "status": {
                          "const": 400
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/ForbiddenOrScope"
          },
          "404": {
            "$ref": "#/components/responses/ConnectionNotFound"
          },
          "412": {
            "description": "`If-Match` names a version that is not the stored one; `currentVersion` carries it. Nothing changed.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "const": "precondition_failed"
                        },
                        "status": {
                          "const": 412
                        }
                      },
                      "required": [
                        "currentVersion"
                      ]
                    }
                  ]
                }
              }
            }
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/StoreUnavailable"
          }
        }
      }
    },
    "/pictoryapis/v1/awsconnections/{connectionid}/history": {
      "parameters": [
        {
          "$ref": "#/components/parameters/connectionid"
        }
      ],
      "get": {
        "operationId": "getConnectionHistory",
        "tags": [
          "connections"
        ],
        "summary": "A connection's change history",
        "description": "Scope `connections:read`. Every change of the connection, oldest first. A deleted connection's history stays readable by its account for a retention period (30 days by default), then 404. No `ETag`. Other methods: 405 with `Allow: GET`.",
        "responses": {
          "200": {
            "description": "The history.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ConnectionHistory"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/ForbiddenOrScope"
          },
          "404": {
            "$ref": "#/components/responses/ConnectionNotFound"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/StoreUnavailable"
          }
        }
      }
    },
    "/problems/{code}": {
      "get": {
        "operationId": "getProblemType",
        "tags": [
          "meta"
        ],
        "summary": "Describe a problem code",
        "description": "The target of every problem's `type`. Needs no key and no database, so it also serves as a liveness check (`GET /problems/store_unavailable`).",
        "security": [],
        "parameters": [
          {
            "name": "code",
            "in": "path",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ProblemCode"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The code's status, title and description.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProblemType"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      }
    },
    "/pictoryapis/v1/openapi.json": {
      "get": {
        "operationId": "getOpenAPIDocument",
        "tags": [
          "meta"
        ],
        "summary": "This OpenAPI document",
        "description": "Needs no key and no database.",
        "security": [],
        "responses": {
          "200": {
            "description": "The document.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OpenAPIDocument"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The API key, bare or after `Bearer ` (any case). Keys are `pictai_` followed by at least 32 base62 characters (the server issues 40). A missing key is 401 `missing_api_key`; a malformed, unknown or revoked one is 401 `invalid_api_key`; both set `WWW-Authenticate`."
      }
    },
    "schemas": {
      "ConnectionId": {
        "type": "string",
        "pattern": "^[0-9]{17}[a-z0-9]{15}$",
        "minLength": 32,
        "maxLength": 32,
        "description": "32 characters: the UTC creation time as `yyyyMMddHHmmssSSS` (17 digits) followed by 15 characters of `[a-z0-9]` from the system CSPRNG. Assigned by the server; any other string names no connection (404).",
        "examples": [
          "20251217080657842fux3au9kh1p0j5s"
        ]
      },
      "AwsAccountId": {
        "type": "string",
        "pattern": "^[0-9]{12}$",
        "minLength": 12,
        "maxLength": 12,
        "description": "Exactly 12 ASCII digits. Set at create, immutable.",
        "examples": [
          "123456789012"
        ]
      },
      "AwsRegion": {
        "type": "string",
        "enum": [
          "af-south-1",
          "ap-east-1",
          "ap-east-2",
          "ap-northeast-1",
          "ap-northeast-2",
          "ap-northeast-3",
          "ap-south-1",
          "ap-south-2",
          "ap-southeast-1",
          "ap-southeast-2",
          "ap-southeast-3",
          "ap-southeast-4",
          "ap-southeast-5",
          "ap-southeast-6",
          "ap-southeast-7",
          "ca-central-1",
          "ca-west-1",
          "eu-central-1",
          "eu-central-2",
          "eu-north-1",
          "eu-south-1",
          "eu-south-2",
          "eu-west-1",
          "eu-west-2",
          "eu-west-3",
          "il-central-1",
          "me-central-1",
          "me-south-1",
          "mx-central-1",
          "sa-east-1",
          "us-east-1",
          "us-east-2",
          "us-west-1",
          "us-west-2",
          "cn-north-1",
          "cn-northwest-1",
          "us-gov-east-1",
          "us-gov-west-1"
        ],
        "description": "An AWS region code, exact and lower-case: the commercial, China and GovCloud regions the server knows (`Sources/AWSConnectionsCore/Model/AWSRegion.swift`). Set at create, immutable. Any other value at create is 400 with field code `invalid_region`.",
        "examples": [
          "us-east-2"
        ]
      },
      "Timestamp": {
        "type": "string",
        "format": "date-time",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
        "description": "RFC 3339 in UTC with exactly three fractional digits (milliseconds), e.g. `2025-12-17T08:06:56.862Z`.",
        "examples": [
          "2025-12-17T08:06:56.862Z"
        ]
      },
      "Version": {
        "type": "integer",
        "minimum": 1,
        "maximum": 9223372036854775807,
        "description": "1 at create; +1 on every successful update. A JSON integer written without fraction or exponent (`1.0`, `1e0`, `\"1\"` and `true` are 400 `invalid_type`)."
      },
      "ConnectionName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 100,
        "pattern": "^[\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]([^\\u0000-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000])?[\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$",
        "description": "Trimmed of surrounding Unicode whitespace (White_Space) and stored trimmed. After trimming: 1 to 100 characters, counted as Swift `Character`s (extended grapheme clusters, so an emoji counts once), and no control characters (general category Cc; `invalid_character`). Empty or all-whitespace is `too_short`, longer is `too_long`. JSON Schema counts code points and cannot express trimming, so `maxLength` here is the safe bound: every string it allows is accepted, and the server also accepts some longer strings (surrounding whitespace, combining marks).",
        "examples": [
          "PictoryPrivateVideosConnection"
        ]
      },
      "ConnectionDescription": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 500,
        "pattern": "^[^\\u0000]*$",
        "description": "0 to 500 characters (Swift `Character`s, as for `name`; `maxLength` is the safe code-point bound), stored exactly as sent (not trimmed). U+0000 is refused (`invalid_character`). `null` or omitted: on create `\"\"`, on update the stored value is kept.",
        "examples": [
          "Private videos"
        ]
      },
      "Enabled": {
        "type": [
          "boolean",
          "null"
        ],
        "description": "`null` or omitted: on create `true`, on update the stored value is kept. Any other JSON type is 400 `invalid_type` (`\"yes\"`, `1`)."
      },
      "Connection": {
        "type": "object",
        "description": "A connection. Responses always carry all ten members, in this order.",
        "additionalProperties": false,
        "required": [
          "connectionId",
          "name",
          "description",
          "awsAccountId",
          "awsRegion",
          "type",
          "enabled",
          "createdDate",
          "updatedDate",
          "version"
        ],
        "properties": {
          "connectionId": {
            "$ref": "#/components/schemas/ConnectionId"
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "pattern": "^[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]([^\\u0000-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000])?$",
            "description": "As stored: trimmed, 1 to 100 characters (extended grapheme clusters), no control characters."
          },
          "description": {
            "type": "string",
            "pattern": "^[^\\u0000]*$",
            "description": "0 to 500 characters (extended grapheme clusters); `\"\"` when none."
          },
          "awsAccountId": {
            "$ref": "#/components/schemas/AwsAccountId"
          },
          "awsRegion": {
            "$ref": "#/components/schemas/AwsRegion"
          },
          "type": {
            "type": "string",
            "const": "AWS"
          },
          "enabled": {
            "type": "boolean"
          },
          "createdDate": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updatedDate": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "version": {
            "$ref": "#/components/schemas/Version"
          }
        },
        "examples": [
          {
            "connectionId": "20261129054328904rr2n3g1yqql0grg",
            "name": "PictoryPrivateVideosConnection",
            "description": "Private videos",
            "awsAccountId": "123456789012",
            "awsRegion": "us-east-2",
            "type": "AWS",
            "enabled": true,
            "createdDate": "2026-11-29T05:43:28.904Z",
            "updatedDate": "2026-11-29T05:43:28.904Z",
            "version": 1
          }
        ]
      },
      "ConnectionList": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "Items"
        ],
        "description": "The caller's account's connections in creation order (then id). Without `limit`: all of them, and never `NextToken`.",
        "properties": {
          "Items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Connection"
            }
          },
          "NextToken": {
            "type": "string",
            "pattern": "^[0-9]{1,15}\\.[0-9]{17}[a-z0-9]{15}$",
            "description": "Present only when `limit` was sent and more connections follow; pass it back as `nextToken`. Opaque: a position in the list's order, not an offset."
          }
        }
      },
      "CreateConnectionRequest": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "awsAccountId",
          "awsRegion"
        ],
        "description": "Members are validated together and every offending one is listed in the 400's `errors`. `connectionId`, `type`, `createdDate`, `updatedDate` and `version` are 400 `immutable_field`; any other member not listed here is 400 `unknown_field`. `null` for a required member is `required`.",
        "properties": {
          "name": {
            "$ref": "#/components/schemas/ConnectionName"
          },
          "description": {
            "$ref": "#/components/schemas/ConnectionDescription"
          },
          "awsAccountId": {
            "$ref": "#/components/schemas/AwsAccountId"
          },
          "awsRegion": {
            "$ref": "#/components/schemas/AwsRegion"
          },
          "enabled": {
            "$ref": "#/components/schemas/Enabled"
          }
        },
        "examples": [
          {
            "name": "PictoryPrivateVideosConnection",
            "description": "Private videos",
            "awsAccountId": "123456789012",
            "awsRegion": "us-east-2"
          }
        ]
      },
      "UpdateConnectionRequest": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "version"
        ],
        "description": "`version` must equal the stored version, else 409 `version_conflict` and nothing changes; the compare and the write are one atomic step. `version` may be omitted only when `If-Match` names the version (then, if both are sent, they must be equal: 400 with field code `if_match_mismatch`). `awsAccountId`, `awsRegion`, `connectionId`, `type`, `createdDate` and `updatedDate` are 400 `immutable_field`; any other member not listed here is 400 `unknown_field`.",
        "properties": {
          "name": {
            "$ref": "#/components/schemas/ConnectionName"
          },
          "description": {
            "$ref": "#/components/schemas/ConnectionDescription"
          },
          "enabled": {
            "$ref": "#/components/schemas/Enabled"
          },
          "version": {
            "$ref": "#/components/schemas/Version"
          }
        },
        "examples": [
          {
            "name": "Production-S3-Connection",
            "enabled": false,
            "version": 1
          }
        ]
      },
      "ProblemCode": {
        "type": "string",
        "enum": [
          "invalid_json",
          "validation_failed",
          "immutable_field",
          "unknown_field",
          "bad_request",
          "missing_api_key",
          "invalid_api_key",
          "insufficient_scope",
          "forbidden",
          "connection_not_found",
          "not_found",
          "method_not_allowed",
          "version_conflict",
          "precondition_failed",
          "invalid_if_match",
          "invalid_idempotency_key",
          "idempotency_key_reused",
          "quota_exceeded",
          "payload_too_large",
          "unsupported_media_type",
          "internal_error",
          "store_unavailable"
        ],
        "description": "The stable machine-readable code of a problem; also the last segment of its `type`, and described by `GET /problems/{code}`."
      },
      "FieldError": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "field",
          "code",
          "message"
        ],
        "properties": {
          "field": {
            "type": "string",
            "description": "The JSON member or query parameter name, exactly as the client spelled it."
          },
          "code": {
            "type": "string",
            "enum": [
              "required",
              "invalid_type",
              "too_short",
              "too_long",
              "invalid_format",
              "invalid_character",
              "invalid_region",
              "out_of_range",
              "immutable_field",
              "unknown_field",
              "if_match_mismatch"
            ]
          },
          "message": {
            "type": "string",
            "description": "A sentence for humans."
          }
        }
      },
      "Problem": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type",
          "title",
          "status",
          "detail",
          "code",
          "requestId"
        ],
        "description": "An RFC 9457 problem, the body of every error (`application/problem+json`).",
        "properties": {
          "type": {
            "type": "string",
            "format": "uri-reference",
            "pattern": "^/problems/[a-z_]+$",
            "description": "`/problems/<code>`, a path on this server that describes the code."
          },
          "title": {
            "type": "string",
            "minLength": 1,
            "description": "A short fixed summary of the code."
          },
          "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599
          },
          "detail": {
            "type": "string",
            "minLength": 1,
            "description": "What went wrong with this request (for `invalid_json`, the byte offset of the first error)."
          },
          "code": {
            "$ref": "#/components/schemas/ProblemCode"
          },
          "requestId": {
            "type": "string",
            "minLength": 1,
            "description": "Equals the `X-Request-Id` response header and the `hb.request.id` of the request's log line."
          },
          "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
              "$ref": "#/components/schemas/FieldError"
            },
            "description": "On `validation_failed`, `immutable_field` and `unknown_field`: every offending field. The problem's own `code` is `immutable_field` if any field is immutable, else `unknown_field` if any is unknown, else `validation_failed`."
          },
          "currentVersion": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Version"
              }
            ],
            "description": "On `version_conflict` and `precondition_failed`: the stored version."
          },
          "limit": {
            "type": "integer",
            "minimum": 1,
            "description": "On `quota_exceeded`: the account's connection quota."
          }
        },
        "allOf": [
          {
            "if": {
              "properties": {
                "code": {
                  "enum": [
                    "validation_failed",
                    "immutable_field",
                    "unknown_field"
                  ]
                }
              },
              "required": [
                "code"
              ]
            },
            "then": {
              "required": [
                "errors"
              ]
            }
          },
          {
            "if": {
              "properties": {
                "code": {
                  "enum": [
                    "version_conflict",
                    "precondition_failed"
                  ]
                }
              },
              "required": [
                "code"
              ]
            },
            "then": {
              "required": [
                "currentVersion"
              ]
            }
          },
          {
            "if": {
              "properties": {
                "code": {
                  "const": "quota_exceeded"
                }
              },
              "required": [
                "code"
              ]
            },
            "then": {
              "required": [
                "limit"
              ]
            }
          }
        ]
      },
      "ProblemType": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "code",
          "status",
          "title",
          "description"
        ],
        "description": "The description of one problem code, served at the problem's `type`.",
        "properties": {
          "code": {
            "$ref": "#/components/schemas/ProblemCode"
          },
          "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599
          },
          "title": {
            "type": "string",
            "minLength": 1
          },
          "description": {
            "type": "string",
            "minLength": 1
          }
        }
      },
      "StringChange": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "old",
          "new"
        ],
        "properties": {
          "old": {
            "type": [
              "string",
              "null"
            ]
          },
          "new": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "BooleanChange": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "old",
          "new"
        ],
        "properties": {
          "old": {
            "type": [
              "boolean",
              "null"
            ]
          },
          "new": {
            "type": [
              "boolean",
              "null"
            ]
          }
        }
      },
      "HistoryEntry": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "version",
          "changedDate",
          "keyId",
          "change",
          "changes"
        ],
        "properties": {
          "version": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Version"
              }
            ],
            "description": "The version this change produced. Each change takes the next version; a delete's entry has the last version + 1."
          },
          "changedDate": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "keyId": {
            "type": ["string", "null"],
            "pattern": "^key_[a-z0-9]{16}$",
            "description": "The public id of the API key that made the change (as `keys list` shows it), never the key. `null` only on the entry recorded for a connection that existed before the server kept history (schema step `0003-history-and-quota`)."
          },
          "change": {
            "type": "string",
            "enum": [
              "created",
              "updated",
              "deleted"
            ]
          },
          "changes": {
            "type": "object",
            "additionalProperties": false,
            "description": "Field name to `{old, new}`. `created`: every field, with `old` null. `updated`: only the fields whose value changed (may be `{}`). `deleted`: `{}`.",
            "properties": {
              "name": {
                "$ref": "#/components/schemas/StringChange"
              },
              "description": {
                "$ref": "#/components/schemas/StringChange"
              },
              "awsAccountId": {
                "$ref": "#/components/schemas/StringChange"
              },
              "awsRegion": {
                "$ref": "#/components/schemas/StringChange"
              },
              "enabled": {
                "$ref": "#/components/schemas/BooleanChange"
              }
            }
          }
        },
        "allOf": [
          {
            "if": {
              "properties": {
                "change": {
                  "const": "created"
                }
              },
              "required": [
                "change"
              ]
            },
            "then": {
              "properties": {
                "changes": {
                  "required": [
                    "name",
                    "description",
                    "awsAccountId",
                    "awsRegion",
                    "enabled"
                  ]
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "change": {
                  "const": "deleted"
                }
              },
              "required": [
                "change"
              ]
            },
            "then": {
              "properties": {
                "changes": {
                  "maxProperties": 0
                }
              }
            }
          }
        ]
      },
      "ConnectionHistory": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "connectionId",
          "Items"
        ],
        "properties": {
          "connectionId": {
            "$ref": "#/components/schemas/ConnectionId"
          },
          "Items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/HistoryEntry"
            },
            "description": "Oldest first: the `created` entry, then one entry per update, then the `deleted` entry if the connection was deleted."
          }
        }
      },
      "OpenAPIDocument": {
        "type": "object",
        "required": [
          "openapi",
          "info",
          "paths"
        ],
        "properties": {
          "openapi": {
            "type": "string",
            "pattern": "^3\\.1\\."
          }
        },
        "description": "This document."
      }
    },
    "parameters": {
      "connectionid": {
        "name": "connectionid",
        "in": "path",
        "required": true,
        "schema": {
          "$ref": "#/components/schemas/ConnectionId"
        },
        "description": "A connection id. A string of another shape names no connection: 404 `connection_not_found`, like an unknown or deleted id."
      },
      "If-Match": {
        "name": "If-Match",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string",
          "anyOf": [
            {
              "const": "*"
            },
            {
              "pattern": "^\"0*[1-9][0-9]{0,17}\"$"
            }
          ],
          "examples": [
            "\"1\"",
            "*"
          ]
        },
        "description": "`*` or one strong entity tag as `ETag` gave it (`\"3\"`). A version that is not the stored one is 412 `precondition_failed` with `currentVersion`, and nothing changes. `*` only requires that the connection exists. A list of tags, a weak tag, or anything else is 400 `invalid_if_match`."
      },
      "If-None-Match": {
        "name": "If-None-Match",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "`*` or a comma-separated list of entity tags, compared weakly (`W/\"3\"` matches `\"3\"`). A match is 304 with the `ETag` and no body; anything that does not match (including a malformed value) is ignored. Checked after authentication, scope and ownership."
      },
      "Idempotency-Key": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string",
          "minLength": 1,
          "maxLength": 255,
          "pattern": "^[!-~]+$",
          "examples": [
            "6f1c1a3e-2b1d-4c55-9f0e-0d6c2c1b7a42"
          ]
        },
        "description": "1 to 255 visible ASCII characters (a UUID is ideal), sent once. Retried with the same key and the same request (the same validated fields) within 24 hours, the create answers the first answer again, byte for byte, with `Idempotent-Replayed: true`, and creates nothing. The same key with a different request is 422 `idempotency_key_reused`. Keys are per account. An empty, too long, repeated or non-visible-ASCII key is 400 `invalid_idempotency_key` (checked after the body)."
      },
      "limit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000
        },
        "description": "Return at most this many connections; `NextToken` is present when more follow. Without it every matching connection is returned. Anything but a whole number from 1 to 1000 is 400 `validation_failed` (field code `out_of_range`)."
      },
      "nextToken": {
        "name": "nextToken",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string",
          "pattern": "^[0-9]{1,15}\\.[0-9]{17}[a-z0-9]{15}$"
        },
        "description": "A `NextToken` from a previous page; continue after it. Treat it as opaque. A string that is not a token this API could have returned is 400 `validation_failed` (field code `invalid_format`)."
      },
      "enabled": {
        "name": "enabled",
        "in": "query",
        "required": false,
        "schema": {
          "type": "boolean"
        },
        "description": "`true` or `false` (exactly, lower-case): only connections with that `enabled`. Anything else is 400 `validation_failed` (field code `invalid_type`)."
      },
      "name": {
        "name": "name",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "Only connections with exactly this (stored, trimmed) name, case-sensitive, after URL decoding."
      }
    },
    "headers": {
      "X-Request-Id": {
        "required": true,
        "schema": {
          "type": "string",
          "minLength": 1
        },
        "description": "On every response. Equals a problem's `requestId` and the `hb.request.id` of the request's log line."
      },
      "ETag": {
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^\"[1-9][0-9]*\"$"
        },
        "description": "The connection's version as a strong entity tag, e.g. `\"3\"`."
      },
      "Location": {
        "required": true,
        "schema": {
          "type": "string",
          "format": "uri-reference",
          "pattern": "^/pictoryapis/v1/awsconnections/[0-9]{17}[a-z0-9]{15}$"
        },
        "description": "The new connection's path."
      },
      "Idempotent-Replayed": {
        "required": false,
        "schema": {
          "type": "string",
          "enum": [
            "true"
          ]
        },
        "description": "`true` when this answer replays the first answer to the same `Idempotency-Key` (byte for byte); absent otherwise."
      },
      "WWW-Authenticate": {
        "required": true,
        "schema": {
          "type": "string",
          "enum": [
            "Bearer realm=\"aws-connections\"",
            "Bearer realm=\"aws-connections\", error=\"invalid_token\""
          ]
        }
      },
      "Retry-After": {
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^[0-9]+$"
        },
        "description": "Seconds to wait before retrying (always `1` today)."
      },
      "Allow": {
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "The methods the path accepts."
      }
    },
    "responses": {
      "Unauthorized": {
        "description": "No key (`missing_api_key`: no `Authorization` header, an empty one, or a bare `Bearer`), or a malformed, unknown or revoked key (`invalid_api_key`).",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          },
          "WWW-Authenticate": {
            "$ref": "#/components/headers/WWW-Authenticate"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "missing_api_key",
                        "invalid_api_key"
                      ]
                    },
                    "status": {
                      "const": 401
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "InsufficientScope": {
        "description": "The key lacks the scope this call needs.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "insufficient_scope"
                    },
                    "status": {
                      "const": 403
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "ForbiddenOrScope": {
        "description": "The key lacks the scope this call needs (`insufficient_scope`), or the connection belongs to another account (`forbidden`).",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "insufficient_scope",
                        "forbidden"
                      ]
                    },
                    "status": {
                      "const": 403
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "ConnectionNotFound": {
        "description": "No connection has this id: it never existed, was deleted, or the id is malformed.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "connection_not_found"
                    },
                    "status": {
                      "const": 404
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "PayloadTooLarge": {
        "description": "The body is over 64 KiB (65,536 bytes). A declared `Content-Length` over the limit is refused before the body is read.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "payload_too_large"
                    },
                    "status": {
                      "const": 413
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "UnsupportedMediaType": {
        "description": "No `Content-Type: application/json` (any letter case, any parameters; a `charset` must be UTF-8).",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "unsupported_media_type"
                    },
                    "status": {
                      "const": 415
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "InternalError": {
        "description": "A bug: never expected. The `requestId` finds the cause in the server log; no detail reaches the client.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "internal_error"
                    },
                    "status": {
                      "const": 500
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "StoreUnavailable": {
        "description": "The database is busy, locked, full or unreachable right now; retry after `Retry-After` seconds. Nothing needs a restart.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          },
          "Retry-After": {
            "$ref": "#/components/headers/Retry-After"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "store_unavailable"
                    },
                    "status": {
                      "const": 503
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "MethodNotAllowed": {
        "description": "Not attached to an operation: a known API path with a method it does not take, e.g. `PATCH` on a connection. `Allow` lists the methods. Answered before authentication.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          },
          "Allow": {
            "$ref": "#/components/headers/Allow"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "method_not_allowed"
                    },
                    "status": {
                      "const": 405
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "NotFound": {
        "description": "No route has this path.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/X-Request-Id"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "const": "not_found"
                    },
                    "status": {
                      "const": 404
                    }
                  }
                }
              ]
            }
          }
        }
      }
    }
  }
}
"""#
}

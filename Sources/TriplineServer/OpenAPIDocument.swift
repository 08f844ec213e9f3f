/// The OpenAPI 3.1 description of the REST API, served at `GET /openapi.json`. Kept by hand,
/// next to the routes in ``APIServer``; tests check it against the routes and the enums, and CI
/// validates it (openapi-spec-validator) and fuzzes the live server with it (schemathesis).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Tripline API",
    "version": "0.2.0",
    "description": "Log anomaly detection for security operations: the same engine as the `tripline` command line and dashboard. Every route but health, metrics and this description needs `Authorization: Bearer <token>` when the server was started with a token (TRIPLINE_API_TOKEN).",
    "license": {
      "name": "Apache-2.0",
      "identifier": "Apache-2.0"
    }
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8000"
    }
  ],
  "security": [
    {
      "bearerAuth": []
    }
  ],
  "tags": [
    {
      "name": "health"
    },
    {
      "name": "analysis"
    },
    {
      "name": "anomalies"
    },
    {
      "name": "model"
    },
    {
      "name": "meta"
    }
  ],
  "paths": {
    "/health": {
      "get": {
        "operationId": "health",
        "summary": "Status, version, whether a model is loaded, uptime",
        "security": [],
        "tags": [
          "health"
        ],
        "responses": {
          "200": {
            "description": "The server is up.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/health/live": {
      "get": {
        "operationId": "live",
        "summary": "Liveness probe",
        "security": [],
        "tags": [
          "health"
        ],
        "responses": {
          "200": {
            "description": "Alive.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          }
        }
      }
    },
    "/health/ready": {
      "get": {
        "operationId": "ready",
        "summary": "Readiness probe: 503 until a model is loaded",
        "security": [],
        "tags": [
          "health"
        ],
        "responses": {
          "200": {
            "description": "A model is loaded.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "503": {
            "description": "No model yet; the reason says why.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          }
        }
      }
    },
    "/analyze": {
      "post": {
        "operationId": "analyze",
        "summary": "Analyse log records (JSON) or raw log lines (text/plain)",
        "description": "Answers the same document as `tripline analyze --output json`. The anomalies found are also kept for GET /anomalies.",
        "tags": [
          "analysis"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/MinSeverity"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/AnalyzeRequest"
              }
            },
            "text/plain": {
              "schema": {
                "type": "string",
                "description": "syslog lines, NDJSON or CSV"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The analysis.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AnalysisResult"
                }
              }
            },
            "links": {
              "GetFirstAnomaly": {
                "operationId": "getAnomaly",
                "parameters": {
                  "id": "$response.body#/anomalies/0/id"
                },
                "description": "The first anomaly found, with its baseline."
              }
            }
          },
          "400": {
            "description": "Malformed JSON or fields (the message names the record and field), or a bad min_severity.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/analyze/file": {
      "post": {
        "operationId": "analyzeFile",
        "summary": "Analyse an uploaded log file in any format the parsers read",
        "description": "multipart/form-data (`curl -F file=@auth.log`) or the file as the raw body.",
        "tags": [
          "analysis"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/MinSeverity"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": [
                  "file"
                ],
                "properties": {
                  "file": {
                    "type": "string",
                    "format": "binary"
                  }
                }
              }
            },
            "application/octet-stream": {
              "schema": {
                "type": "string",
                "format": "binary"
              }
            },
            "text/plain": {
              "schema": {
                "type": "string"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The analysis.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AnalysisResult"
                }
              }
            }
          },
          "400": {
            "description": "No file part, an unreadable multipart body, or a bad min_severity.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/anomalies": {
      "get": {
        "operationId": "listAnomalies",
        "summary": "Anomalies kept by the server, newest first, filtered",
        "tags": [
          "anomalies"
        ],
        "parameters": [
          {
            "name": "severity",
            "in": "query",
            "description": "At or above this severity.",
            "schema": {
              "type": "string",
              "enum": [
                "low",
                "medium",
                "high",
                "critical"
              ]
            }
          },
          {
            "name": "kind",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "brute_force",
                "slow_brute_force",
                "password_spraying",
                "user_enumeration",
                "success_after_failures",
                "account_takeover",
                "privilege_escalation",
                "service_account_misuse",
                "bulk_data_access",
                "unusual_activity"
              ]
            }
          },
          {
            "name": "user",
            "in": "query",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "source_ip",
            "in": "query",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "since",
            "in": "query",
            "description": "Last seen at or after (ISO 8601).",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "until",
            "in": "query",
            "description": "Started before (ISO 8601).",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 10000,
              "default": 100
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The anomalies.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AnomalyList"
                }
              }
            }
          },
          "400": {
            "description": "A filter value is not valid (the message names it).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/anomalies/{id}": {
      "get": {
        "operationId": "getAnomaly",
        "summary": "One kept anomaly, with the baseline of its user and source",
        "tags": [
          "anomalies"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The anomaly.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AnomalyDetail"
                }
              }
            }
          },
          "404": {
            "description": "No such anomaly is kept.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/stats": {
      "get": {
        "operationId": "stats",
        "summary": "Model and counters",
        "tags": [
          "health"
        ],
        "responses": {
          "200": {
            "description": "Statistics.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Stats"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/model/reload": {
      "post": {
        "operationId": "reloadModel",
        "summary": "Reload model.json from the model folder",
        "tags": [
          "model"
        ],
        "responses": {
          "200": {
            "description": "The new model is in use.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Reloaded"
                }
              }
            }
          },
          "409": {
            "description": "No usable model file; the model in use (if any) stays.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document",
        "security": [],
        "tags": [
          "meta"
        ],
        "responses": {
          "200": {
            "description": "OpenAPI 3.1.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    },
    "/docs": {
      "get": {
        "operationId": "docs",
        "summary": "Human-readable API reference (works offline)",
        "security": [],
        "tags": [
          "meta"
        ],
        "responses": {
          "200": {
            "description": "An HTML page.",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics",
        "security": [],
        "tags": [
          "meta"
        ],
        "responses": {
          "200": {
            "description": "Prometheus text format.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error",
          "status"
        ],
        "properties": {
          "error": {
            "type": "string",
            "description": "What was wrong and what to do."
          },
          "status": {
            "type": "integer"
          }
        }
      },
      "Health": {
        "type": "object",
        "required": [
          "status",
          "version",
          "model_loaded",
          "uptime_seconds"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok"
            ]
          },
          "version": {
            "type": "string"
          },
          "model_loaded": {
            "type": "boolean"
          },
          "model_error": {
            "type": [
              "string",
              "null"
            ]
          },
          "uptime_seconds": {
            "type": "number"
          }
        }
      },
      "Status": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          }
        }
      },
      "LogRecord": {
        "type": "object",
        "description": "One log record in the prototype's schema; other keys are kept as extra fields.",
        "required": [
          "timestamp"
        ],
        "properties": {
          "timestamp": {
            "oneOf": [
              {
                "type": "string",
                "format": "date-time",
                "description": "ISO 8601 / RFC 3339"
              },
              {
                "type": "number",
                "minimum": 0,
                "exclusiveMaximum": 1e+17,
                "description": "epoch seconds (ms and µs recognised by size)"
              }
            ]
          },
          "user": {
            "type": [
              "string",
              "null",
              "object"
            ],
            "description": "the account, or ECS style {\"name\": …}"
          },
          "source_ip": {
            "type": [
              "string",
              "null",
              "object"
            ],
            "description": "an address or host name, or ECS style {\"ip\": …}"
          },
          "event_type": {
            "type": [
              "string",
              "null"
            ],
            "description": "login, logout, sudo, su, file_access, …"
          },
          "action": {
            "type": [
              "string",
              "null"
            ],
            "description": "failed, success, read, … (mapped to an outcome)"
          },
          "message": {
            "type": [
              "string",
              "null"
            ]
          },
          "host": {
            "type": [
              "string",
              "null",
              "object"
            ],
            "description": "or ECS style {\"name\": …}"
          },
          "program": {
            "type": [
              "string",
              "null"
            ]
          },
          "auth_method": {
            "type": [
              "string",
              "null"
            ]
          },
          "target_user": {
            "type": [
              "string",
              "null"
            ]
          },
          "command": {
            "type": [
              "string",
              "null"
            ]
          },
          "outcome": {
            "type": [
              "string",
              "null"
            ],
            "description": "success, failure or unknown"
          },
          "repeat_count": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 1,
            "description": "how many events the record stands for (tripline parse writes it; at most 1000 count)"
          }
        },
        "additionalProperties": true
      },
      "AnalyzeRequest": {
        "oneOf": [
          {
            "type": "object",
            "required": [
              "logs"
            ],
            "properties": {
              "logs": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/LogRecord"
                }
              }
            }
          },
          {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/LogRecord"
            }
          }
        ]
      },
      "Evidence": {
        "type": "object",
        "required": [
          "event_count",
          "locations",
          "truncated"
        ],
        "properties": {
          "event_count": {
            "type": "integer"
          },
          "locations": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "file:line of the events behind it (capped)"
          },
          "truncated": {
            "type": "boolean"
          }
        }
      },
      "Anomaly": {
        "type": "object",
        "required": [
          "id",
          "timestamp",
          "last_seen",
          "user",
          "source_ip",
          "host",
          "kind",
          "severity",
          "score",
          "techniques",
          "reasons",
          "evidence",
          "details"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "timestamp": {
            "type": "string",
            "format": "date-time",
            "description": "when the incident started"
          },
          "last_seen": {
            "type": "string",
            "format": "date-time"
          },
          "user": {
            "type": [
              "string",
              "null"
            ]
          },
          "source_ip": {
            "type": [
              "string",
              "null"
            ]
          },
          "host": {
            "type": [
              "string",
              "null"
            ]
          },
          "kind": {
            "type": "string",
            "enum": [
              "brute_force",
              "slow_brute_force",
              "password_spraying",
              "user_enumeration",
              "success_after_failures",
              "account_takeover",
              "privilege_escalation",
              "service_account_misuse",
              "bulk_data_access",
              "unusual_activity"
            ]
          },
          "severity": {
            "type": "string",
            "enum": [
              "low",
              "medium",
              "high",
              "critical"
            ]
          },
          "score": {
            "type": "number",
            "minimum": 0,
            "maximum": 100
          },
          "techniques": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "MITRE ATT&CK ids"
          },
          "reasons": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "evidence": {
            "$ref": "#/components/schemas/Evidence"
          },
          "details": {
            "type": "object",
            "additionalProperties": true
          }
        }
      },
      "AnalysisModel": {
        "type": [
          "object",
          "null"
        ],
        "properties": {
          "version": {
            "type": "integer"
          },
          "created_at": {
            "type": "string"
          },
          "trained_on": {
            "type": "object"
          },
          "contamination": {
            "type": "number"
          },
          "threshold": {
            "type": [
              "number",
              "null"
            ]
          },
          "users": {
            "type": "integer"
          },
          "service_accounts": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "events_scored": {
            "type": "integer"
          },
          "outlier_events": {
            "type": "integer"
          }
        }
      },
      "AnalysisResult": {
        "type": "object",
        "required": [
          "events_analyzed",
          "anomalies_detected",
          "by_severity",
          "lines_read",
          "lines_skipped",
          "model",
          "anomalies"
        ],
        "properties": {
          "events_analyzed": {
            "type": "integer"
          },
          "anomalies_detected": {
            "type": "integer"
          },
          "by_severity": {
            "type": "object",
            "properties": {
              "low": {
                "type": "integer"
              },
              "medium": {
                "type": "integer"
              },
              "high": {
                "type": "integer"
              },
              "critical": {
                "type": "integer"
              }
            }
          },
          "lines_read": {
            "type": "integer"
          },
          "lines_skipped": {
            "type": "integer"
          },
          "model": {
            "$ref": "#/components/schemas/AnalysisModel"
          },
          "anomalies": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Anomaly"
            }
          }
        }
      },
      "AnomalyList": {
        "type": "object",
        "required": [
          "count",
          "anomalies"
        ],
        "properties": {
          "count": {
            "type": "integer"
          },
          "anomalies": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Anomaly"
            }
          }
        }
      },
      "AnomalyDetail": {
        "type": "object",
        "required": [
          "anomaly",
          "baseline"
        ],
        "properties": {
          "anomaly": {
            "$ref": "#/components/schemas/Anomaly"
          },
          "baseline": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "what the model learnt about its user and source"
          }
        }
      },
      "Model": {
        "type": "object",
        "required": [
          "version",
          "created_at",
          "trained_events",
          "contamination",
          "users"
        ],
        "properties": {
          "version": {
            "type": "integer"
          },
          "created_at": {
            "type": "string"
          },
          "tripline_version": {
            "type": "string"
          },
          "trained_events": {
            "type": "integer"
          },
          "trained_from": {
            "type": [
              "string",
              "null"
            ]
          },
          "trained_to": {
            "type": [
              "string",
              "null"
            ]
          },
          "contamination": {
            "type": "number"
          },
          "threshold": {
            "type": [
              "number",
              "null"
            ]
          },
          "users": {
            "type": "integer"
          },
          "service_accounts": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "Reloaded": {
        "type": "object",
        "required": [
          "reloaded",
          "model"
        ],
        "properties": {
          "reloaded": {
            "type": "boolean"
          },
          "model": {
            "$ref": "#/components/schemas/Model"
          }
        }
      },
      "Stats": {
        "type": "object",
        "required": [
          "version",
          "uptime_seconds",
          "model",
          "analyses",
          "events_analyzed",
          "lines_skipped",
          "anomalies_found",
          "anomalies_kept",
          "kept_by_severity",
          "kept_by_kind"
        ],
        "properties": {
          "version": {
            "type": "string"
          },
          "uptime_seconds": {
            "type": "number"
          },
          "model": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Model"
              },
              {
                "type": "null"
              }
            ]
          },
          "analyses": {
            "type": "integer"
          },
          "events_analyzed": {
            "type": "integer"
          },
          "lines_skipped": {
            "type": "integer"
          },
          "anomalies_found": {
            "type": "integer"
          },
          "anomalies_kept": {
            "type": "integer"
          },
          "kept_by_severity": {
            "type": "object",
            "additionalProperties": {
              "type": "integer"
            }
          },
          "kept_by_kind": {
            "type": "object",
            "additionalProperties": {
              "type": "integer"
            }
          }
        }
      }
    },
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "The token the server was started with (TRIPLINE_API_TOKEN)."
      }
    },
    "parameters": {
      "MinSeverity": {
        "name": "min_severity",
        "in": "query",
        "required": false,
        "description": "Only anomalies at or above this severity.",
        "schema": {
          "type": "string",
          "enum": [
            "low",
            "medium",
            "high",
            "critical"
          ]
        }
      }
    },
    "responses": {
      "PayloadTooLarge": {
        "description": "Body larger than the server's limit.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "Missing or wrong bearer token.",
        "headers": {
          "WWW-Authenticate": {
            "schema": {
              "type": "string"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TooManyRequests": {
        "description": "Rate limit reached (per client address).",
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait.",
            "schema": {
              "type": "integer"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    }
  }
}
"""#
}

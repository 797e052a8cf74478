import { ApiProperty } from '@nestjs/swagger';
import type { BulkItem, BulkResponse } from './es-bulk';

/** The Elasticsearch version Lookout presents to shippers (one Filebeat, Logstash and Vector accept). */
export const ES_COMPAT_VERSION = '8.11.0';

class EsVersionDto {
  @ApiProperty({ example: ES_COMPAT_VERSION }) number!: string;
  @ApiProperty({ example: 'default' }) build_flavor!: string;
  @ApiProperty({ example: 'lookout' }) build_type!: string;
  @ApiProperty() build_hash!: string;
  @ApiProperty() build_date!: string;
  @ApiProperty() build_snapshot!: boolean;
  @ApiProperty() lucene_version!: string;
  @ApiProperty() minimum_wire_compatibility_version!: string;
  @ApiProperty() minimum_index_compatibility_version!: string;
}

export class EsInfoDto {
  @ApiProperty({ example: 'lookout' }) name!: string;
  @ApiProperty({ example: 'lookout' }) cluster_name!: string;
  @ApiProperty() cluster_uuid!: string;
  @ApiProperty({ type: EsVersionDto }) version!: EsVersionDto;
  @ApiProperty({ example: 'You Know, for Search' }) tagline!: string;
}

export const ES_INFO: EsInfoDto = {
  name: 'lookout',
  cluster_name: 'lookout',
  cluster_uuid: 'lookout-elasticsearch-compat',
  version: {
    number: ES_COMPAT_VERSION,
    build_flavor: 'default',
    build_type: 'lookout',
    build_hash: 'lookout',
    build_date: '2023-11-04T10:04:57.184859352Z',
    build_snapshot: false,
    lucene_version: '9.8.0',
    minimum_wire_compatibility_version: '7.17.0',
    minimum_index_compatibility_version: '7.0.0',
  },
  tagline: 'You Know, for Search',
};

export const ES_LICENSE = {
  license: {
    status: 'active',
    uid: 'lookout-elasticsearch-compat',
    type: 'basic',
    issue_date: '2023-11-04T00:00:00.000Z',
    issue_date_in_millis: 1699056000000,
    max_nodes: 1000,
    max_resource_units: null,
    issued_to: 'lookout',
    issuer: 'lookout',
    start_date_in_millis: -1,
  },
};

export const ES_CLUSTER_HEALTH = {
  cluster_name: 'lookout',
  status: 'green',
  timed_out: false,
  number_of_nodes: 1,
  number_of_data_nodes: 1,
  active_primary_shards: 1,
  active_shards: 1,
  relocating_shards: 0,
  initializing_shards: 0,
  unassigned_shards: 0,
  delayed_unassigned_shards: 0,
  number_of_pending_tasks: 0,
  number_of_in_flight_fetch: 0,
  task_max_waiting_in_queue_millis: 0,
  active_shards_percent_as_number: 100,
};

export class EsBulkResponseDto implements BulkResponse {
  @ApiProperty({ description: 'Milliseconds spent on the request', example: 3 })
  took!: number;

  @ApiProperty({ description: 'True when at least one item was refused' })
  errors!: boolean;

  @ApiProperty({
    description:
      'One item per action, in request order: `{"<action>": {"_index", "_id", "status": 201, "result": "created"}}` ' +
      'for a stored document, `{"<action>": {"_index", "_id", "status": 400, "error": {"type", "reason"}}}` for a refused one',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [
      {
        create: {
          _index: 'filebeat-8.11.0',
          _id: 'kq3Z0YwBvJ3pWn2LkD9a',
          status: 201,
          result: 'created',
        },
      },
      {
        index: {
          _index: 'app',
          _id: null,
          status: 400,
          error: {
            type: 'mapper_parsing_exception',
            reason: 'failed to parse the document on line 4: …',
          },
        },
      },
    ],
  })
  items!: BulkItem[];
}

export const ES_BULK_BODY_EXAMPLE =
  '{"create":{"_index":"filebeat-8.11.0"}}\n' +
  '{"@timestamp":"2026-11-21T10:00:00.000Z","message":"GET /health 200","log":{"level":"info"}}\n' +
  '{"index":{"_index":"app","_id":"42"}}\n' +
  '{"@timestamp":"2026-11-21T10:00:01.000Z","level":"error","msg":"payment failed"}\n';

export const LOKI_PUSH_SCHEMA = {
  type: 'object',
  required: ['streams'],
  properties: {
    streams: {
      type: 'array',
      items: {
        type: 'object',
        required: ['values'],
        properties: {
          stream: {
            type: 'object',
            additionalProperties: { type: 'string' },
            description:
              "Labels. `job` (else `service_name`) names the source unless ?source= is given; `host`, `hostname` or `instance` names the host. All labels are added to the line's fields.",
          },
          values: {
            type: 'array',
            description:
              '[time in nanoseconds since the epoch as a string, line, optional structured metadata (string values, added to fields)]',
            items: {
              type: 'array',
              minItems: 2,
              maxItems: 3,
              items: { oneOf: [{ type: 'string' }, { type: 'object' }] },
            },
          },
        },
      },
    },
  },
  example: {
    streams: [
      {
        stream: { job: 'payments', host: 'web-1', env: 'prod' },
        values: [
          ['1763719200000000000', 'level=error msg="payment failed"'],
          ['1763719201500000000', 'retry ok', { trace_id: 'abc123' }],
        ],
      },
    ],
  },
};

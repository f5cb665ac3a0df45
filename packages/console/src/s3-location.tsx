/**
 * Chooses an S3 location the way the Signer console does: browse buckets, keys and versions
 * (ListBuckets, ListObjectVersions), or type an s3:// URL.
 */
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import {
  ListBucketsCommand,
  ListObjectVersionsCommand,
  type ObjectVersion,
} from '@aws-sdk/client-s3';
import { useEffect, useState } from 'react';
import type { Clients } from './clients.js';
import { ErrorAlert, useLoad, when } from './api-error.js';
import { parseS3Url } from './validation.js';

export interface S3Location {
  bucket: string;
  /** The object key (source) or key prefix (destination). */
  key: string;
  versionId?: string;
}

export function S3LocationField({
  clients,
  label,
  kind,
  onChange,
}: {
  clients: Clients;
  label: string;
  kind: 'object' | 'prefix';
  onChange: (loc: S3Location | undefined) => void;
}) {
  const [mode, setMode] = useState<'browse' | 'url'>('browse');
  const [bucket, setBucket] = useState<string>();
  const [key, setKey] = useState<string>();
  const [versionId, setVersionId] = useState<string>();
  const [prefix, setPrefix] = useState('');
  const [url, setUrl] = useState('');
  const buckets = useLoad(
    async () => (await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? [],
    [],
  );
  const versions = useLoad(async () => {
    if (!bucket || kind !== 'object') return [];
    // Every version, page by page with S3's markers (a firmware bucket holds thousands at most).
    const out: ObjectVersion[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const r = await clients.s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000, ...markers }),
      );
      out.push(...(r.Versions ?? []));
      if (!r.IsTruncated || !r.NextKeyMarker) return out;
      markers = { KeyMarker: r.NextKeyMarker, VersionIdMarker: r.NextVersionIdMarker };
    }
  }, [bucket]);
  const keys = [...new Set((versions.data ?? []).map((v) => v.Key!))];
  const keyVersions = (versions.data ?? []).filter((v) => v.Key === key);
  const parsed = parseS3Url(url);

  useEffect(() => {
    if (mode === 'url') onChange(parsed);
    else if (!bucket) onChange(undefined);
    else if (kind === 'prefix') onChange({ bucket, key: prefix });
    else if (key) onChange({ bucket, key, ...(versionId ? { versionId } : {}) });
    else onChange(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode, bucket, key, versionId, prefix, url]);

  const testId = kind === 'object' ? 'source' : 'destination';
  return (
    <FormField label={label} stretch>
      <SpaceBetween size="s">
        <SegmentedControl
          data-testid={`${kind === 'object' ? 'source' : 'destination'}-mode`}
          selectedId={mode}
          options={[
            { id: 'browse', text: 'Browse S3' },
            { id: 'url', text: 'Enter S3 URL' },
          ]}
          onChange={(e) => setMode(e.detail.selectedId as 'browse' | 'url')}
        />
        <ErrorAlert error={buckets.error ?? versions.error} />
        {mode === 'url' ? (
          <FormField
            description={
              kind === 'object' ? 's3://bucket/key, optionally ?versionId=…' : 's3://bucket/prefix'
            }
            errorText={url !== '' && !parsed ? 'Expected s3://bucket/key' : undefined}
          >
            <Input
              controlId={`${testId}-url`}
              value={url}
              onChange={(e) => setUrl(e.detail.value)}
              placeholder="s3://"
            />
          </FormField>
        ) : (
          <SpaceBetween direction="horizontal" size="xs">
            <div style={{ width: 220 }}>
              <Select
                data-testid={`${testId}-bucket`}
                ariaLabel={`${label}: bucket`}
                placeholder="Bucket"
                statusType={buckets.loading ? 'loading' : 'finished'}
                empty="No buckets"
                selectedOption={bucket ? { label: bucket, value: bucket } : null}
                options={(buckets.data ?? []).map((b) => ({ label: b.Name, value: b.Name }))}
                onChange={(e) => {
                  setBucket(e.detail.selectedOption.value);
                  setKey(undefined);
                  setVersionId(undefined);
                }}
              />
            </div>
            {kind === 'prefix' ? (
              <div style={{ width: 220 }}>
                <Input
                  ariaLabel={`${label}: key prefix`}
                  placeholder="Key prefix (optional)"
                  value={prefix}
                  onChange={(e) => setPrefix(e.detail.value)}
                />
              </div>
            ) : (
              <>
                <div style={{ width: 280 }}>
                  <Select
                    data-testid={`${testId}-key`}
                    ariaLabel={`${label}: key`}
                    placeholder="Key"
                    disabled={!bucket}
                    statusType={versions.loading ? 'loading' : 'finished'}
                    empty="No objects"
                    filteringType="auto"
                    selectedOption={key ? { label: key, value: key } : null}
                    options={keys.map((k) => ({ label: k, value: k }))}
                    onChange={(e) => {
                      const k = e.detail.selectedOption.value!;
                      setKey(k);
                      // The latest version unless another is chosen.
                      setVersionId(
                        (versions.data ?? []).find((v) => v.Key === k && v.IsLatest)?.VersionId,
                      );
                    }}
                  />
                </div>
                <div style={{ width: 340 }}>
                  <Select
                    data-testid={`${testId}-version`}
                    ariaLabel={`${label}: version`}
                    placeholder="Version"
                    disabled={!key}
                    selectedOption={versionId ? { label: versionId, value: versionId } : null}
                    options={keyVersions.map((v) => ({
                      label: v.VersionId,
                      value: v.VersionId,
                      description: `${v.IsLatest ? 'latest · ' : ''}${v.Size} bytes · ${when(v.LastModified)}`,
                    }))}
                    onChange={(e) => setVersionId(e.detail.selectedOption.value)}
                  />
                </div>
              </>
            )}
          </SpaceBetween>
        )}
      </SpaceBetween>
    </FormField>
  );
}

/** What the profile and job lists share: the full-page header with its actions, token pagination. */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { TokenPages } from './token-pages.js';

export function listTableProps<T>(
  pages: TokenPages<T>,
  opts: { title: string; noun: string; create: { text: string; href: string } },
) {
  return {
    variant: 'full-page' as const,
    loading: pages.loading,
    loadingText: `Loading ${opts.noun}`,
    items: pages.items,
    header: (
      <Header
        variant="awsui-h1-sticky"
        counter={pages.loading ? undefined : `(${pages.items.length}${pages.openEnd ? '+' : ''})`}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh" onClick={pages.reload} />
            <Button variant="primary" href={opts.create.href}>
              {opts.create.text}
            </Button>
          </SpaceBetween>
        }
      >
        {opts.title}
      </Header>
    ),
    pagination: (
      <Pagination
        currentPageIndex={pages.pageIndex + 1}
        pagesCount={pages.pagesCount}
        openEnd={pages.openEnd}
        onChange={(e) => pages.goTo(e.detail.currentPageIndex - 1)}
      />
    ),
    empty: (
      <Box textAlign="center" color="inherit">
        <b>No {opts.noun}</b>
      </Box>
    ),
  };
}
